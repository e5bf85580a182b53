"""The demo's organisational life: a year of regular meetings of every expected kind for the
demo branches and their building groups, with attendance (some absences with reasons), each
recorded through `org_meeting_record`, so the members present are credited in the ledger.
Every branch held what was expected except 丽景新城's building groups, which held no group
meeting last month: that branch is the one overdue. Idempotent: a meeting is looked up by
its branch, group, kind and time before it is recorded."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import Estate, Member, OrgAttendance, OrgMeeting, OrgMeetingKind
from .orglife import Attendance, local_zone, org_meeting_record
from .queries import org_life_overdue

OVERDUE_ESTATE = "丽景新城"
COMMITTEE = "支部委员会会议"
COMMITTEE_SIZE = 5
REASONS = ["外出务工", "生病住院", "出差", "照顾家人", "值班"]
TOPICS = {
    "支部党员大会": "季度党员大会：通报支部工作，评议党员",
    "支部委员会会议": "支委会：研究本月诉求办理与服务站安排",
    "党小组会": "楼栋党小组会：收集居民诉求，落实承诺事项",
    "党课": "党课：学习党章，讲好身边故事",
    "主题党日": "主题党日：党员志愿服务进楼栋",
}


def _when(index: int, kind_position: int, estate_number: int) -> datetime:
    """A weekday evening in month number `index` (year * 12 + month - 1)."""
    day = 3 + (kind_position * 5 + estate_number * 2) % 24
    return datetime(index // 12, index % 12 + 1, day, 19, 30, tzinfo=local_zone())


def _attendance(members, seed: int) -> list[Attendance]:
    """Everyone present except about one in nine, each absence with its reason."""
    rows = []
    for member in members:
        if (member.pk * 7 + seed) % 9 == 0:
            rows.append(Attendance(member, False, REASONS[(member.pk + seed) % len(REASONS)]))
        else:
            rows.append(Attendance(member, True))
    return rows


@transaction.atomic
def seed_orglife_demo(now: datetime | None = None) -> dict:
    """A year (the twelve months before this one) of meetings; returns what exists."""
    now = timezone.localtime(now or timezone.now(), local_zone())
    this_month = now.year * 12 + now.month - 1
    kinds = list(OrgMeetingKind.objects.filter(every_months__isnull=False))
    estates = list(Estate.objects.filter(community__town__name="黄兴镇").order_by("pk"))
    done = {
        (m.estate_id, m.group_id, m.kind_id, m.held_at)
        for m in OrgMeeting.objects.filter(estate__in=estates)
    }
    for number, estate in enumerate(estates):
        members = list(Member.objects.filter(estate=estate, active=True).order_by("pk"))
        groups = {}
        for member in members:
            if member.group_id:
                groups.setdefault(member.group_id, []).append(member)
        for index in range(this_month - 12, this_month):
            for kind in kinds:
                n = kind.every_months
                if index % n != n // 2:
                    continue  # once in each period of n months, in its middle month
                held_at = _when(index, kind.position, number)
                if kind.level == OrgMeetingKind.Level.GROUP:
                    skip = estate.name == OVERDUE_ESTATE and index == this_month - 1
                    units = [] if skip else list(groups.items())
                else:
                    who = members[:COMMITTEE_SIZE] if kind.name == COMMITTEE else members
                    units = [(None, who)]
                for group_id, who in units:
                    if (estate.pk, group_id, kind.pk, held_at) in done or not who:
                        continue
                    org_meeting_record(
                        estate=estate,
                        group=who[0].group if group_id else None,
                        kind=kind,
                        held_at=held_at,
                        topic=TOPICS.get(kind.name, str(kind)),
                        place=f"{estate.name}党群服务站",
                        attendance=_attendance(who, index + kind.pk),
                    )
    attendance = OrgAttendance.objects.filter(meeting__estate__in=estates)
    return {
        "meetings": OrgMeeting.objects.filter(estate__in=estates).count(),
        "attendance": attendance.count(),
        "absences": attendance.filter(present=False).count(),
        "overdue": sorted({o.estate for o in org_life_overdue(now=now)}),
    }
