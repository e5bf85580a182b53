"""Three Brightness, Three Comparisons: the year's rankings (members within a branch, building
groups within an estate, branches within a community and within the town), from the
contribution ledger (branches.ledger writes it).

Rules:
- a member's points for a year are the sum of its ledger entries dated in that year,
  corrections included (a correction is an entry of its own, dated the day it was made);
  an entry's date is a local date (Asia/Shanghai), so the year is the local calendar year;
- only active members are listed and counted;
- a building group's points are the sum of its active members' points; a branch's the sum of
  its active members' points (members in no group count for the branch, not for a group);
- equal points share a rank, the next rank skips (standard competition ranking: 1, 1, 3),
  computed by the database (`RANK() OVER (...)`);
- a group or a branch with fewer active members than RANKING_MIN_MEMBERS is shown but not
  ranked (its `rank` is None) and does not take a rank from the others: the ranked and the
  unranked are separate partitions of the window;
- members are never held to a minimum.

Each function is one query whatever the number of members, groups or branches (the points
are correlated subqueries or one grouped join, the ranks a window over them); Python only
turns the rows into the dataclasses below. Public pages pass `consenting_only=True`: the
members without a card consent are then not in the query at all, so they take no rank and
leave no gap."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Rank

from .models import BuildingGroup, ContributionEntry, ContributionSource, Estate, Member
from .names import localized


def min_members() -> int:
    return int(getattr(settings, "RANKING_MIN_MEMBERS", 3))


def year_days(year: int) -> tuple[date, date]:
    """The first local day of `year` and of the next (ledger dates are local dates)."""
    return date(year, 1, 1), date(year + 1, 1, 1)


@dataclass(frozen=True)
class MemberStanding:
    pk: int
    name: str
    group: str  # the building group's name, "" for none
    group_id: int | None
    category: str  # in the active language
    points: int
    rank: int
    by_source: dict[str, int] = field(default_factory=dict)  # staff pages only


@dataclass(frozen=True)
class Standing:
    """A building group or a branch: its points, its active members and its rank (None:
    fewer members than the minimum, shown but not ranked)."""

    pk: int
    name: str
    points: int
    members: int
    rank: int | None
    # branches only: the rank among the town's branches, the community
    town_rank: int | None = None
    community: str = ""
    community_id: int | None = None
    branch_name: str = ""


def _of_year(year: int, prefix: str = "") -> Q:
    first, after = year_days(year)
    return Q(**{f"{prefix}on__gte": first, f"{prefix}on__lt": after})


def member_ranking(
    *, year: int, estate: Estate | int, consenting_only: bool = False, by_source: bool = False
) -> list[MemberStanding]:
    """The active members of a branch by the year's points, highest first (ties by name);
    with `consenting_only`, the members with a card consent in force only (ranked among
    themselves); with `by_source`, each member's points per ledger source as well."""
    members = Member.objects.filter(estate=estate, active=True)
    if consenting_only:
        members = members.filter(card_consent_on__isnull=False)
    year_q = _of_year(year, "contributions__")
    sums = {"points": Coalesce(Sum("contributions__points", filter=year_q), 0)}
    if by_source:
        for source in ContributionSource.values:
            sums[f"source_{source}"] = Coalesce(
                Sum("contributions__points", filter=year_q & Q(contributions__source=source)), 0
            )
    rows = (
        members.annotate(**sums)
        .annotate(rank=Window(Rank(), order_by=F("points").desc()))
        .values(
            "pk",
            "name",
            "group_id",
            "group__name",
            "category__name",
            "category__name_en",
            "rank",
            *sums,
        )
        .order_by("rank", "name", "pk")
    )
    return [
        MemberStanding(
            pk=row["pk"],
            name=row["name"],
            group=row["group__name"] or "",
            group_id=row["group_id"],
            category=localized(row["category__name"], row["category__name_en"]),
            points=row["points"],
            rank=row["rank"],
            by_source={source: row[f"source_{source}"] for source in ContributionSource.values}
            if by_source
            else {},
        )
        for row in rows
    ]


def points_subquery(year: int, unit: str) -> Subquery:
    """The year's points of the active members of the outer row (`unit`: the member's
    field naming it, `group` or `estate`)."""
    return Subquery(
        ContributionEntry.objects.filter(
            _of_year(year), member__active=True, **{f"member__{unit}": OuterRef("pk")}
        )
        .order_by()
        .values(f"member__{unit}")
        .annotate(total=Sum("points"))
        .values("total"),
        output_field=IntegerField(),
    )


def _headcount(unit: str) -> Subquery:
    return Subquery(
        Member.objects.filter(active=True, **{unit: OuterRef("pk")})
        .order_by()
        .values(unit)
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )


def _ranked(queryset: QuerySet, year: int, unit: str) -> QuerySet:
    """`queryset` (groups or estates) with their points, members and whether they are ranked
    (1) or below the minimum (0)."""
    return queryset.annotate(
        points=Coalesce(points_subquery(year, unit), 0),
        members_n=Coalesce(_headcount(unit), 0),
    ).annotate(
        ranked=Case(
            When(members_n__gte=min_members(), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def group_ranking(*, year: int, estate: Estate | int) -> list[Standing]:
    """The building groups of an estate by the year's points: the ranked first (highest
    first), then those below the minimum (by points, unranked)."""
    rows = (
        _ranked(BuildingGroup.objects.filter(estate=estate), year, "group")
        .annotate(
            rank=Window(Rank(), partition_by=[F("ranked")], order_by=F("points").desc()),
        )
        .values("pk", "name", "points", "members_n", "ranked", "rank")
        .order_by("-ranked", "-points", "name", "pk")
    )
    return [
        Standing(
            pk=row["pk"],
            name=row["name"],
            points=row["points"],
            members=row["members_n"],
            rank=row["rank"] if row["ranked"] else None,
        )
        for row in rows
    ]


def branch_ranking(*, year: int, estates: QuerySet[Estate]) -> list[Standing]:
    """These branches by the year's points: `rank` among the branches of their community,
    `town_rank` among those of their town (both among `estates` only, so pass whole
    communities or towns), those below the minimum unranked. Ordered by town rank."""
    rows = (
        _ranked(estates, year, "estate")
        .annotate(
            rank=Window(
                Rank(), partition_by=[F("community_id"), F("ranked")], order_by=F("points").desc()
            ),
            town_rank=Window(
                Rank(),
                partition_by=[F("community__town_id"), F("ranked")],
                order_by=F("points").desc(),
            ),
        )
        .values(
            "pk",
            "name",
            "branch_name",
            "community_id",
            "community__name",
            "points",
            "members_n",
            "ranked",
            "rank",
            "town_rank",
        )
        .order_by("-ranked", "-points", "community__name", "name", "pk")
    )
    return [
        Standing(
            pk=row["pk"],
            name=row["name"],
            points=row["points"],
            members=row["members_n"],
            rank=row["rank"] if row["ranked"] else None,
            town_rank=row["town_rank"] if row["ranked"] else None,
            community=row["community__name"],
            community_id=row["community_id"],
            branch_name=row["branch_name"],
        )
        for row in rows
    ]
