"""The rankings' part of `seed_demo` (it runs after the sessions, meetings and awards of the
other parts have been credited): the members' ranking of Guangda Community's first branch
shows a tie at the top, and the tied members (and a few more) show their cards.

Through the ledger's services only: the tie is a manual award, with its reason, that brings
the second member's points of the year up to the first's (key `demo:rankings:tie:<year>`,
so a second run adds nothing); on a ledger still empty for the community this year (this
part seeded alone) the branches' members get a spread of base awards first, two of the first
branch's with equal points. Idempotent."""

from django.utils import timezone

from .demo import GUANGDA
from .ledger import ledger_award, member_consent_set
from .models import ContributionEntry, ContributionSource, Estate
from .rankings import member_ranking, year_days

COMMUNITY = "光达社区"
TIE_REASON = "年度服务贡献突出，支部委员会表彰"
BASE_REASON = "参加党群服务站志愿服务"
CARDS = 8  # the branch's top members who consent to a public card


def _base_awards(year: int, estates) -> None:
    """A spread of points across the community's branches (the ledger was empty)."""
    on = timezone.localdate()
    for e, estate in enumerate(estates):
        members = list(estate.members.filter(active=True).order_by("pk")[:12])
        for i, member in enumerate(members):
            points = 40 if (e, i) in ((0, 0), (0, 1)) else 5 + (i * 7 + e * 3) % 30
            ledger_award(
                member=member,
                source=ContributionSource.MANUAL,
                key=f"demo:rankings:{year}:base:{member.pk}",
                on=on,
                points=points,
                reason=BASE_REASON,
            )


def seed_rankings_demo() -> dict:
    year = timezone.localdate().year
    first_day, after = year_days(year)
    estates = list(
        Estate.objects.filter(community__name=COMMUNITY, name__in=[p.name for p in GUANGDA])
    )
    estates.sort(key=lambda e: [p.name for p in GUANGDA].index(e.name))
    branch = estates[0]
    ledger = ContributionEntry.objects.filter(
        member__estate__community__name=COMMUNITY, on__gte=first_day, on__lt=after
    )
    if not ledger.exists():
        _base_awards(year, estates)
    top = member_ranking(year=year, estate=branch)[:2]
    first, second = top
    if second.points < first.points:
        ledger_award(
            member=branch.members.get(pk=second.pk),
            source=ContributionSource.MANUAL,
            key=f"demo:rankings:tie:{year}",
            on=timezone.localdate(),
            points=first.points - second.points,
            reason=TIE_REASON,
        )
    ranking = member_ranking(year=year, estate=branch)
    consented = 0
    for standing in ranking[:CARDS]:
        member = branch.members.get(pk=standing.pk)
        if member.card_consent_on is None:
            member_consent_set(member=member, given=True, on=timezone.localdate())
        consented += 1
    return {
        "branch": branch.branch_name or branch.name,
        "first": ranking[0].name,
        "second": ranking[1].name,
        "points": ranking[0].points,
        "tied": ranking[0].rank == ranking[1].rank == 1,
        "cards": consented,
    }
