"""Branches show their achievements (支部亮成绩、工作比先进): a branch's year in figures, from
what the system already records. One function, `branch_achievements`, for one branch or for
every branch of a community or a town at once, in a constant number of queries.

Each figure keeps the definition of the place it comes from (none is invented here):
- **appeals received** and **solved** (closed as solved), and the **response, resolution
  and satisfaction rates**: the committee dashboard's (governance.dashboard, from the
  roll-ups of meetings.rollups: received by the day filed, the rates' numerators and
  denominators as its footnotes say), over the local calendar year;
- **five-zero months**: the Five Zeros' year grid (zeroindex.queries.year_grid): ended
  months, known and five-zero;
- **sessions** held at the branch's service station and **people served** (their head
  counts), by the local time a session started;
- **organisational meetings** held by the branch or its groups, by the local time held;
- **commitments kept**: the year's group commitments verified by the secretary, of all the
  year's commitments;
- **points**: the branch's ledger points of the year (branches.rankings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from branches.models import Commitment, Estate, OrgMeeting, ServiceSession
from branches.rankings import points_subquery
from meetings import queries as appeal_queries
from zeroindex.queries import year_grid

from .dashboard import _rates


@dataclass(frozen=True)
class Achievements:
    estate_id: int
    received: int = 0
    solved: int = 0
    response: float | None = None
    resolution: float | None = None
    satisfaction: float | None = None
    five_zero_months: int = 0
    sessions: int = 0
    people_served: int = 0
    meetings: int = 0
    commitments: int = 0
    commitments_kept: int = 0
    points: int = 0


def _count(queryset: QuerySet, estate_field: str, *, total: str | None = None) -> Subquery:
    """A correlated count (or sum of `total`) of `queryset`'s rows of the outer estate."""
    rows = queryset.filter(**{estate_field: OuterRef("pk")}).order_by().values(estate_field)
    value = Sum(total) if total else Count("pk")
    return Coalesce(Subquery(rows.annotate(n=value).values("n"), output_field=IntegerField()), 0)


def branch_achievements(
    *, year: int, town=None, community=None, estate=None
) -> dict[int, Achievements]:
    """By estate id, the year's figures of every branch of the unit (a town, a community or
    one estate: an object or its id; none: every branch). Three queries, plus the year
    grid's, whatever the number of branches, appeals, sessions or meetings."""
    if estate is not None:
        unit, estates = {"estate": estate}, Estate.objects.filter(pk=getattr(estate, "pk", estate))
    elif community is not None:
        unit, estates = {"community": community}, Estate.objects.filter(community=community)
    elif town is not None:
        unit, estates = {"town": town}, Estate.objects.filter(community__town=town)
    else:  # everywhere (a superuser's pages)
        unit, estates = {}, Estate.objects.all()
    start, end = appeal_queries.year_bounds(year)
    first, last = date(year, 1, 1), date(year, 12, 31)
    sessions = ServiceSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
    commitments = Commitment.objects.filter(year=year)
    rows = estates.annotate(
        sessions_n=_count(sessions, "station__estate"),
        people_n=_count(sessions, "station__estate", total="people_served"),
        meetings_n=_count(OrgMeeting.objects.filter(held_at__gte=start, held_at__lt=end), "estate"),
        commitments_n=_count(commitments, "group__estate"),
        kept_n=_count(commitments.filter(verified_at__isnull=False), "group__estate"),
        points_n=Coalesce(points_subquery(year, "estate"), 0),
    ).values("pk", "sessions_n", "people_n", "meetings_n", "commitments_n", "kept_n", "points_n")
    appeals = {
        row["unit"]: row
        for row in appeal_queries.by_unit(
            start=first, end=last, level="estate", figures="appeals", **unit
        )
    }
    visits = {
        row["unit"]: row
        for row in appeal_queries.by_unit(
            start=first, end=last, level="estate", figures="visits", **unit
        )
    }
    zeros = {row.estate.pk: row.five_zero_months for row in year_grid(year=year, estates=estates)}
    result = {}
    for row in rows:
        pk = row["pk"]
        a, v = appeals.get(pk, {}), visits.get(pk, {})
        rates = _rates(a, v)
        result[pk] = Achievements(
            estate_id=pk,
            received=a.get("received", 0),
            solved=a.get("closed_solved", 0),
            response=rates["response"],
            resolution=rates["resolution"],
            satisfaction=rates["satisfaction"],
            five_zero_months=zeros.get(pk, 0),
            sessions=row["sessions_n"],
            people_served=row["people_n"],
            meetings=row["meetings_n"],
            commitments=row["commitments_n"],
            commitments_kept=row["kept_n"],
            points=row["points_n"],
        )
    return result


def achievements_of(*, year: int, estate) -> Achievements:
    """One branch's figures (zeros when it has none)."""
    pk = getattr(estate, "pk", estate)
    return branch_achievements(year=year, estate=pk).get(pk, Achievements(estate_id=pk))
