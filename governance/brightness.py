"""The Three Brightness pages' content: the public page of a branch, and the staff tables
(the branches compared side by side, a branch's members by points and source), built from
branches.rankings, branches.brightness and governance.achievements. The staff tables are
the dashboard's `Table`s, so the page and the CSV write the same cells the same way.

Scope: a staff user sees the branches `estates_for` gives; each branch's ranks are among the
branches of its community and of its town (all of them, also those outside the user's scope:
a rank among a part would say nothing), computed by the database, then the rows outside the
scope are left out."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.brightness import Card, GroupCommitments, commitments_by_group, public_cards
from branches.models import ContributionSource, Estate
from branches.queries import branch_ranking, group_ranking, member_ranking
from branches.rankings import MemberStanding, Standing, min_members
from branches.scope import estates_for, staff_scope, towns_for

from .achievements import Achievements, achievements_of, branch_achievements
from .dashboard import RANK, RATE, TEXT, Column, Row, Table
from .dashboard_files import cell_text

FIRST_YEAR, LAST_YEAR = 2000, 2100
YEARS_OFFERED = 6

NOT_RANKED = gettext_lazy("Fewer than %(n)s members: shown, not ranked.")


def year_from(text: str | None) -> int:
    """The year asked for (2000–2100); anything else is this (local) year."""
    try:
        year = int((text or "").strip())
    except ValueError:
        year = 0
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


def year_options(year: int) -> list[int]:
    """This year and the years before it, and the one shown when it is not among them."""
    this = timezone.localdate().year
    years = list(range(this, this - YEARS_OFFERED, -1))
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return years


# --- the public page ---------------------------------------------------------------------


@dataclass
class BrightnessPage:
    estate: Estate
    year: int
    achievements: Achievements
    commitments: list[GroupCommitments]
    cards: list[Card]
    members: list[MemberStanding]  # the consenting members only, ranked among themselves
    groups: list[Standing]
    branches: list[Standing]  # the branches of the estate's community
    min_members: int


def brightness_page(*, estate: Estate, year: int) -> BrightnessPage:
    """Everything the public page shows, in a fixed number of queries."""
    members = member_ranking(year=year, estate=estate, consenting_only=True)
    return BrightnessPage(
        estate=estate,
        year=year,
        achievements=achievements_of(year=year, estate=estate),
        commitments=commitments_by_group(estate=estate, year=year),
        cards=public_cards(estate=estate, year=year, standings=members),
        members=members,
        groups=group_ranking(year=year, estate=estate),
        branches=branch_ranking(
            year=year, estates=Estate.objects.filter(community_id=estate.community_id)
        ),
        min_members=min_members(),
    )


# --- the staff pages ---------------------------------------------------------------------


def _unit_of(user) -> dict:
    """The achievements' unit for the user's scope (none for a superuser: everywhere)."""
    scope = staff_scope(user)
    if user.is_superuser or scope is None:
        return {}
    if scope.estate_id:
        return {"estate": scope.estate_id}
    if scope.community_id:
        return {"community": scope.community_id}
    return {"town": scope.town_id}


def _rate_columns() -> list[Column]:
    return [
        Column("received", _("Appeals received")),
        Column("solved", _("Solved")),
        Column("response", _("Response rate"), RATE),
        Column("resolution", _("Resolution rate"), RATE),
        Column("satisfaction", _("Satisfaction rate"), RATE),
        Column("five_zero", _("Five-zero months")),
        Column("sessions", _("Service sessions")),
        Column("served", _("People served")),
        Column("meetings", _("Organisational meetings")),
        Column("kept", _("Commitments kept")),
        Column("commitments", _("Commitments")),
    ]


def _figures(a: Achievements) -> list:
    return [
        a.received,
        a.solved,
        a.response,
        a.resolution,
        a.satisfaction,
        a.five_zero_months,
        a.sessions,
        a.people_served,
        a.meetings,
        a.commitments_kept,
        a.commitments,
    ]


def branches_table(*, user, year: int) -> Table:
    """The branches in the user's scope side by side: ranks in community and town, members,
    points and the achievements, a link to each branch's page."""
    visible = set(estates_for(user).values_list("pk", flat=True))
    everywhere = Estate.objects.all()
    if not user.is_superuser:
        everywhere = everywhere.filter(community__town__in=towns_for(user))
    standings = [s for s in branch_ranking(year=year, estates=everywhere) if s.pk in visible]
    figures = branch_achievements(year=year, **_unit_of(user))
    least = min_members()
    columns = [
        Column("rank", _("Rank in community"), RANK),
        Column("town_rank", _("Rank in town"), RANK),
        Column("branch", _("Branch"), TEXT),
        Column("community", _("Community"), TEXT),
        Column("members", _("Members")),
        Column("points", _("Points")),
        *_rate_columns(),
        Column("note", _("Note"), TEXT),
    ]
    rows = []
    for s in standings:
        note = "" if s.rank is not None else str(NOT_RANKED % {"n": least})
        a = figures.get(s.pk, Achievements(estate_id=s.pk))
        cells = [s.rank, s.town_rank, s.name, s.community, s.members, s.points, *_figures(a)]
        rows.append(
            Row(
                [*cells, note],
                url=reverse("dashboard_branch", args=[s.pk]) + f"?year={year}",
                note=note,
            )
        )
    footnote = _(
        "Points: the year's contribution ledger of the branch's active members, corrections "
        "included. Ranked by points, highest first, among the branches of the community and "
        "of the town; equal points share a rank. A branch with fewer than %(n)s active "
        "members is shown but not ranked. The appeal figures and rates are the dashboard's "
        "for the year."
    ) % {"n": least}
    title = _("Branches compared, %(year)s") % {"year": year}
    return Table("branches", title, columns, rows, footnote)


SOURCE_LABELS = dict(ContributionSource.choices)


def members_table(*, estate: Estate, year: int) -> Table:
    """A branch's active members by the year's points, with the points of each source."""
    standings = member_ranking(year=year, estate=estate, by_source=True)
    columns = [
        Column("rank", _("Rank"), RANK),
        Column("member", _("Member"), TEXT),
        Column("group", _("Building group"), TEXT),
        Column("category", _("Category"), TEXT),
        Column("points", _("Points")),
        *[Column(f"source_{s}", str(SOURCE_LABELS[s])) for s in ContributionSource.values],
    ]
    rows = [
        Row(
            [
                m.rank,
                m.name,
                m.group,
                m.category,
                m.points,
                *[m.by_source[s] for s in ContributionSource.values],
            ]
        )
        for m in standings
    ]
    return Table("members", _("Members by points, %(year)s") % {"year": year}, columns, rows)


def groups_table(*, estate: Estate, year: int) -> Table:
    least = min_members()
    columns = [
        Column("rank", _("Rank"), RANK),
        Column("group", _("Building group"), TEXT),
        Column("members", _("Members")),
        Column("points", _("Points")),
        Column("note", _("Note"), TEXT),
    ]
    rows = []
    for g in group_ranking(year=year, estate=estate):
        note = "" if g.rank is not None else str(NOT_RANKED % {"n": least})
        rows.append(Row([g.rank, g.name, g.members, g.points, note], note=note))
    return Table("groups", _("Building groups by points"), columns, rows)


def figures_table(*, estate: Estate, year: int) -> Table:
    a = achievements_of(year=year, estate=estate)
    columns = [Column("figure", _("Figure"), TEXT), Column("value", _("Value"), TEXT)]
    rows = [
        Row([column.label, cell_text(value, column.kind)])
        for column, value in zip(_rate_columns(), _figures(a), strict=True)
    ]
    rows.insert(0, Row([_("Points"), str(a.points)]))
    return Table("achievements", _("Achievements"), columns, rows)


def branch_in_scope(*, user, estate_id: int) -> Estate | None:
    return estates_for(user).select_related("community__town").filter(pk=estate_id).first()


def staff_may_see(user) -> bool:
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or staff_scope(user) is not None)
    )
