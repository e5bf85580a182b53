"""The demo's five-standards checklists (seed_demo runs this last, after the stations,
meetings and ledger are seeded, so the automatic items find them): last year's checklist of
every demo branch, assessed with evidence, submitted and reviewed by its community's staff,
and this year's of 新都城 open as a draft. Made through the services; safe to re-run (an
existing checklist is taken up where it stands)."""

from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .checklists import (
    checklist_entry_assess,
    checklist_entry_review,
    checklist_open,
    checklist_review,
    checklist_submit,
)
from .models import Checklist, Estate
from .queries import checklist_subtotals

# the community's staff user who assesses (with the branch) and reviews
REVIEWERS = {"光达社区": "guangda", "金星社区": "other"}
DRAFT_ESTATE = "新都城"

EVIDENCE = {
    1: "支部委员会换届材料、书记任命文件存档；楼栋党小组组长名单上墙。",
    2: "“三会一课”记录本、主题党日签到表和照片，按月归档。",
    3: "党员积分台账、楼栋承诺公示栏照片及兑现记录。",
    4: "制度汇编一册，“五会”台账与诉求办理记录可查。",
    5: "党群服务站开放时间公示，功能室使用登记簿。",
}


def _when(year: int, month: int, day: int) -> datetime:
    """A backdated moment in January of the year after, never later than now."""
    at = timezone.make_aware(datetime.combine(datetime(year, month, day).date(), time(10)))
    return min(at, timezone.now())


def _self_score(entry, n: int) -> int:
    """The branch scores an item the system found unmet at half; others near full."""
    full = entry.item.max_score
    if entry.auto_met is False:
        return full // 2
    return full - (n % 3 == 0)


def _review_score(entry, n: int) -> int:
    """The community is a little stricter on some items."""
    return max(0, (entry.self_score or 0) - (n % 4 == 1) - (entry.item.max_score >= 20))


def _last_year(estate: Estate, year: int, reviewer, offset: int) -> Checklist:
    checklist = Checklist.objects.filter(estate=estate, year=year).first()
    if checklist is None:
        checklist = checklist_open(estate=estate, year=year, by=reviewer)
    entries = list(checklist.entries.select_related("item").order_by("item__standard", "pk"))
    if checklist.status == Checklist.Status.DRAFT:
        for n, entry in enumerate(entries, start=offset):
            if entry.self_score is None:
                checklist_entry_assess(
                    entry=entry,
                    by=reviewer,
                    self_score=_self_score(entry, n),
                    evidence=EVIDENCE[entry.item.standard],
                )
        checklist = checklist_submit(checklist=checklist, by=reviewer, at=_when(year + 1, 1, 10))
        entries = list(checklist.entries.select_related("item").order_by("item__standard", "pk"))
    if checklist.status == Checklist.Status.SUBMITTED:
        for n, entry in enumerate(entries, start=offset):
            if entry.review_score is None:
                checklist_entry_review(
                    entry=entry, by=reviewer, review_score=_review_score(entry, n)
                )
        checklist = checklist_review(checklist=checklist, by=reviewer, at=_when(year + 1, 1, 20))
    return checklist


@transaction.atomic
def seed_checklists_demo() -> dict:
    """Returns what the demo has: last year's reviewed checklists with their totals, and
    the branch whose checklist of this year is a draft."""
    this_year = timezone.localdate().year
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=REVIEWERS.values())
    }
    estates = list(
        Estate.objects.filter(community__name__in=REVIEWERS)
        .select_related("community")
        .order_by("community__name", "name")
    )
    totals = []
    for offset, estate in enumerate(estates):
        reviewer = users[REVIEWERS[estate.community.name]]
        checklist = _last_year(estate, this_year - 1, reviewer, offset)
        _rows, total = checklist_subtotals(checklist=checklist)
        totals.append(f"{estate.name} {total['review_total']}/{total['full']}")
    draft = next((e for e in estates if e.name == DRAFT_ESTATE), None)
    if draft is not None and not Checklist.objects.filter(estate=draft, year=this_year).exists():
        checklist_open(estate=draft, year=this_year, by=users[REVIEWERS[draft.community.name]])
    return {
        "year": this_year - 1,
        "reviewed": Checklist.objects.filter(
            year=this_year - 1, status=Checklist.Status.REVIEWED
        ).count(),
        "totals": "; ".join(totals),
        "draft": DRAFT_ESTATE if draft is not None else "—",
        "this_year": this_year,
    }
