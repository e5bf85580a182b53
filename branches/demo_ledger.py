"""The demo's Three Brightness, first two bullets (issue 12): each building group's
commitments for this year (some kept and verified, some in progress, one overdue, one due
within the week so its reminder shows), consents to a public card for about half the
members of each branch (a few withdrawn later) and a few manual awards. Idempotent by
natural keys (a commitment by group, year and text; a consent only for a member with none;
an award by its key), made through the services, never by patching columns."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .commitments import commitment_add, commitment_progress, commitment_verify
from .ledger import ledger_award, member_consent_set
from .models import BuildingGroup, Commitment, ContributionEntry, Member, MemberConsent

# What the groups commit to (the case's kinds of work), one list a group picks from.
COMMITMENTS = [
    "楼道堆物每月清理一次，消防通道保持畅通",
    "每季度走访本楼栋独居老人和困难家庭",
    "组织一次垃圾分类入户宣传",
    "协助调解楼栋邻里纠纷，做到小事不出楼栋",
    "每月组织一次志愿理发或义诊进楼栋",
    "建立楼栋微信群，居民诉求当天回应",
]
# The manual awards (member's index in the branch, points, reason, month).
AWARDS = [
    (0, 10, "春节期间组织志愿者慰问孤寡老人", 2),
    (4, 6, "暴雨夜巡查地下车库积水并及时报告", 6),
    (9, 8, "牵头完成小区消防器材排查", 9),
]


def _dates(today: datetime.date) -> list[tuple[datetime.date, int]]:
    """(due date, progress) for a group's three commitments: one kept in the spring, one
    in progress due later this year, one due near the year's end."""
    year = today.year
    spring = datetime.date(year, 4, 30)
    later = min(today + datetime.timedelta(days=45), datetime.date(year, 12, 31))
    last = datetime.date(year, 12, 31)
    return [(spring, 100), (later, 60), (last, 30)]


def _verifier(group, users):
    """The estate's named secretary, else the community's demo staff."""
    staff = "guangda" if group.estate.community.name == "光达社区" else "other"
    return group.estate.secretary or users.get(staff)


@transaction.atomic
def seed_ledger_demo() -> dict:
    today = timezone.localdate()
    year = today.year
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["guangda", "other"])}
    groups = list(
        BuildingGroup.objects.select_related("estate__community", "estate__secretary").order_by(
            "estate__community__name", "estate__name", "name"
        )
    )
    for n, group in enumerate(groups):
        members = list(Member.objects.filter(group=group).order_by("pk")[:3])
        for i, (due_on, progress) in enumerate(_dates(today)):
            text = COMMITMENTS[(n + i) % len(COMMITMENTS)]
            if Commitment.objects.filter(group=group, year=year, text=text).exists():
                continue
            if n == 0 and i == 1:  # one group overdue: due last week, not done
                due_on = max(today - datetime.timedelta(days=7), datetime.date(year, 1, 1))
                progress = 50
            if n == 1 and i == 1:  # one due within the week: its reminder shows
                due_on = min(today + datetime.timedelta(days=3), datetime.date(year, 12, 31))
            commitment = commitment_add(
                group=group, year=year, text=text, due_on=due_on, members=members[: 1 + i % 2]
            )
            commitment_progress(
                commitment=commitment,
                progress=progress,
                evidence="已完成，照片和居民签名存档" if progress == 100 else "正在推进",
            )
            if progress == 100 and n % 3 != 2:  # most kept commitments verified, a few to do
                commitment_verify(
                    commitment=commitment,
                    by=_verifier(group, users),
                    at=timezone.make_aware(datetime.datetime.combine(due_on, datetime.time(10))),
                )

    # Consents: every second member of each branch, from March; every seventh withdrawn in
    # October (the card leaves the public pages).
    members = list(
        Member.objects.filter(active=True)
        .order_by("estate_id", "pk")
        .values_list("pk", "estate_id")
    )
    have = set(MemberConsent.objects.values_list("member_id", flat=True))
    position: dict[int, int] = {}
    for pk, estate_id in members:
        index = position[estate_id] = position.get(estate_id, -1) + 1
        if index % 2 or pk in have:
            continue
        member = Member(pk=pk)
        member_consent_set(member=member, given=True, on=datetime.date(year, 3, 1 + index % 28))
        if index % 14 == 0 and today >= datetime.date(year, 10, 15):
            member_consent_set(member=member, given=False, on=datetime.date(year, 10, 15))

    # A few manual awards in each Guangda branch.
    estates = {g.estate for g in groups if g.estate.community.name == "光达社区"}
    for estate in sorted(estates, key=lambda e: e.pk):
        branch = list(Member.objects.filter(estate=estate).order_by("pk"))
        for index, points, reason, month in AWARDS:
            if index >= len(branch):
                continue
            ledger_award(
                member=branch[index],
                source="manual",
                key=f"manual:demo:{estate.pk}:{index}",
                on=min(datetime.date(year, month, 15), today),
                points=points,
                reason=reason,
                by=users.get("guangda"),
            )
    return {
        "commitments": Commitment.objects.filter(year=year).count(),
        "verified": Commitment.objects.filter(year=year, verified_at__isnull=False).count(),
        "consenting": Member.objects.filter(card_consent_on__isnull=False).count(),
        "withdrawn": MemberConsent.objects.filter(given=False).count(),
        "awards": ContributionEntry.objects.filter(source="manual").count(),
    }
