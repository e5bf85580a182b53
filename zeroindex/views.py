"""The Five Zeros boards: the public `/scoreboard/` (marks and counts only, for residents) and
the staff and committee `/dashboard/zeros/` (the same for the estates in the user's scope,
with incident counts linking to the incident list, the rankings and a CSV export).

Every figure comes from zeroindex.queries; these views only choose the period and the places
from the query string (bad input falls back to the current month, the first town, all
communities: never an error) and arrange the rows for the templates. Each page runs a fixed
number of queries whatever the number of estates, buildings and incidents."""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from branches.models import Community, Estate, StaffRole, Town
from branches.scope import VIEW, communities_for, estates_for, may, staff_scope, towns_for
from branches.spreadsheets import BOM, csv_safe

from .models import Incident, IncidentCategory, IncidentStatus
from .queries import (
    CATEGORIES,
    Mark,
    Period,
    Ranked,
    Status,
    building_board,
    community_ranking,
    estate_board,
    estate_ranking,
    rollups,
    year_grid,
)

ID = re.compile(r"[0-9]{1,9}")

# More estates than a page's list can carry (on a phone above all): the board of the whole
# town then shows each community's roll-up, a link to that community's board, instead of
# every estate (the public board and the dashboard; the CSV still has them all).
PUBLIC_BOARD_ESTATES = 40


def _choose_community(request, period: Period, places: "Places", rolled) -> bool:
    """Too many estates for one page: link each community's roll-up to its board."""
    if places.community is not None or rolled[-1].estates <= PUBLIC_BOARD_ESTATES:
        return False
    asked = period.param() if "period" in request.GET else None
    town = places.params()["town"]
    for r in rolled:
        if r.community is not None:
            r.link = _query(period=asked, town=town, community=r.community.pk)
    return True


# The board's column headers: short enough for five columns on a 375 px phone; the legend
# under the board gives each one's full name.
SHORT_NAMES = {
    IncidentCategory.ILLEGAL_CONSTRUCTION: gettext_lazy("Illegal building"),
    IncidentCategory.POLLUTION: gettext_lazy("Pollution"),
    IncidentCategory.SAFETY_ACCIDENT: gettext_lazy("Accident"),
    IncidentCategory.PUBLIC_SECURITY: gettext_lazy("Security"),
    IncidentCategory.PETITION: gettext_lazy("Petition"),
}
# What a screen reader says for a mark (and the CSV writes).
MARK_TEXT = {
    Mark.ZERO: gettext_lazy("zero"),
    Mark.NOT_ZERO: gettext_lazy("not zero"),
    Mark.UNKNOWN: gettext_lazy("unknown"),
    Mark.FUTURE: gettext_lazy("not yet"),
}
FIVE_ZERO_TEXT = {
    Mark.ZERO: gettext_lazy("yes"),
    Mark.NOT_ZERO: gettext_lazy("no"),
    Mark.UNKNOWN: gettext_lazy("unknown"),
    Mark.FUTURE: gettext_lazy("not yet"),
}


@dataclass
class Column:
    category: str
    short: str
    name: str


def board_columns() -> list[Column]:
    labels = dict(IncidentCategory.choices)
    return [Column(c, SHORT_NAMES[c], labels[c]) for c in CATEGORIES]


@dataclass
class Cell:
    """One category's mark on a board row; `url` (staff only) lists the incidents counted."""

    category: str
    mark: str
    text: str
    count: int
    url: str = ""


@dataclass
class Line:
    """A board row as the templates show it: an estate, a building, or (place None) the
    estate's incidents that name no building."""

    place: object
    status: Status
    cells: list[Cell]
    url: str = ""  # the drill-down
    pending: int = 0
    pending_url: str = ""


def _line(place, status: Status, *, url: str = "", link: Callable | None = None) -> Line:
    cells = []
    for category in CATEGORIES:
        count = status.counts.get(category, 0)
        cells.append(
            Cell(
                category=category,
                mark=status.marks[category],
                text=MARK_TEXT[status.marks[category]],
                count=count,
                url=link(category) if link and count else "",
            )
        )
    return Line(place=place, status=status, cells=cells, url=url)


@dataclass
class Places:
    """The town and community a board shows, chosen from ?town= and ?community=."""

    towns: list[Town]
    town: Town | None
    communities: list[Community]
    community: Community | None

    def params(self) -> dict:
        """What every link of the page keeps."""
        return {
            "town": self.town.pk if self.town and len(self.towns) > 1 else None,
            "community": self.community.pk if self.community else None,
        }

    def estates(self, base: QuerySet[Estate]) -> QuerySet[Estate]:
        if self.community is not None:
            return base.filter(community=self.community)
        if self.town is not None:
            return base.filter(community__town=self.town)
        return base.none()


def _id(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if ID.fullmatch(value) else None


def _pick(options: list, wanted: int | None):
    """The option with this id; None for an unknown or foreign id (ignored, never an error)."""
    return next((o for o in options if o.pk == wanted), None)


def _places(request, towns: QuerySet[Town], communities: QuerySet[Community]) -> Places:
    towns = list(towns.order_by("name"))
    town = _pick(towns, _id(request, "town")) or (towns[0] if towns else None)
    in_town = list(communities.filter(town=town).order_by("name")) if town else []
    return Places(towns, town, in_town, _pick(in_town, _id(request, "community")))


def _query(**params) -> str:
    """'?period=2026-11&community=3', leaving out what is empty."""
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


def _period_links(period: Period, keep: dict) -> dict:
    this_month = Period.current()
    this_year = Period(this_month.year)
    return {
        "previous": _query(period=period.previous().param(), **keep),
        "next": _query(period=period.next().param(), **keep),
        "this_month": _query(period=this_month.param(), **keep),
        "this_year": _query(period=this_year.param(), **keep),
        "whole_year": _query(period=str(period.year), **keep),
        "is_this_month": period == this_month,
        "is_this_year": period == this_year,
    }


def _grid_months(year: int, keep: dict) -> list[dict]:
    return [
        {"month": m, "query": _query(period=Period(year, m.month).param(), **keep)}
        for m in Period(year).months
    ]


def _board_context(
    period: Period, places: Places, estates: QuerySet[Estate], lines, *, rolled=None
) -> dict:
    keep = places.params()
    return {
        "period": period,
        "columns": board_columns(),
        "lines": lines,
        "rollups": rolled if rolled is not None else rollups(period=period, estates=estates),
        "grid": year_grid(year=period.year, estates=estates) if lines else [],
        "grid_months": _grid_months(period.year, keep),
        "links": _period_links(period, keep),
        "places": places,
        "keep": keep,
        "several_communities": places.community is None and len(places.communities) > 1,
        "mark_text": MARK_TEXT,
    }


def _estate_context(period: Period, estate: Estate, link_for: Callable | None = None) -> dict:
    """An estate's drill-down: its own row, its buildings' rows (and the incidents that
    name no building), its year's row of months."""
    one = Estate.objects.filter(pk=estate.pk)
    own = estate_board(period=period, estates=one)[0]
    buildings = [
        _line(
            row.building,
            row.status,
            link=link_for(row.building) if link_for and row.building else None,
        )
        for row in building_board(period=period, estate=estate)
    ]
    # incidents that name no building: a row only when there are some
    unplaced = [b for b in buildings if b.place is None and b.status.total]
    return {
        "period": period,
        "estate": estate,
        "columns": board_columns(),
        "own_lines": [_line(estate, own.status, link=link_for(None) if link_for else None)],
        "building_lines": [b for b in buildings if b.place is not None] + unplaced,
        "grid": year_grid(year=period.year, estates=one),
        "grid_months": _grid_months(period.year, {}),
        "links": _period_links(period, {}),
        "mark_text": MARK_TEXT,
    }


# ---------------------------------------------------------------------------------------------
# Public pages: marks and counts of verified incidents, never a description, a source, a
# person or a place finer than a building.


@require_safe
def scoreboard(request):
    period = Period.parse(request.GET.get("period"))
    places = _places(request, Town.objects.all(), Community.objects.all())
    estates = places.estates(Estate.objects.all())
    rolled = rollups(period=period, estates=estates)
    choose_community = _choose_community(request, period, places, rolled)
    lines = [
        _line(
            row.estate,
            row.status,
            url=reverse("scoreboard_estate", args=[row.estate.pk]) + _query(period=period.param()),
        )
        for row in ([] if choose_community else estate_board(period=period, estates=estates))
    ]
    context = _board_context(period, places, estates, lines, rolled=rolled)
    context["choose_community"] = choose_community
    return render(request, "zeroindex/scoreboard.html", context)


@require_safe
def scoreboard_estate(request, estate_id: int):
    estate = get_object_or_404(Estate.objects.select_related("community__town"), pk=estate_id)
    period = Period.parse(request.GET.get("period"))
    context = _estate_context(period, estate)
    context["back"] = reverse("scoreboard") + _query(period=period.param())
    context["board_name"] = _("Five Zeros scoreboard")
    return render(request, "zeroindex/estate.html", context)


# ---------------------------------------------------------------------------------------------
# Staff and committee: the estates in scope, with the incidents behind each count.


def _staff_only(request) -> None:
    """Logged in (login_required) and active staff with a scope, else the 403 page."""
    if not may(request.user, VIEW, Incident):
        raise PermissionDenied


def _incident_list(**params) -> str:
    """The incident admin list, filtered (the admin accepts exactly these parameters)."""
    return reverse("admin:zeroindex_incident_changelist") + "?" + urlencode(params)


def _counted(period: Period, estate_id: int, building_id: int | None = None) -> Callable:
    """For a category, the list of the verified incidents a board's count is made of."""

    def link(category: str) -> str:
        params = {
            "estate__id__exact": estate_id,
            "category__exact": category,
            "status__exact": IncidentStatus.VERIFIED,
            "period": period.param(),
            "records": "known",  # the board counts nothing before the records start
        }
        if building_id is not None:
            params["building__id__exact"] = building_id
        return _incident_list(**params)

    return link


def _is_town_level(user) -> bool:
    scope = staff_scope(user)
    return user.is_superuser or (scope is not None and scope.role == StaffRole.TOWN_COMMITTEE)


def _staff_places(request) -> tuple[Period, Places, QuerySet[Estate]]:
    """The period, places and estates the user asked for, in its scope."""
    user = request.user
    period = Period.parse(request.GET.get("period"))
    places = _places(request, towns_for(user), communities_for(user))
    return period, places, places.estates(estates_for(user))


def _staff_lines(period: Period, estates: QuerySet[Estate]) -> list[Line]:
    """The dashboard's board: each estate's marks with its counts' links and pending count."""
    rows = estate_board(period=period, estates=estates)
    pending = dict(
        Incident.objects.filter(status=IncidentStatus.PENDING, estate__in=estates)
        .values_list("estate")
        .annotate(n=Count("pk"))
        .values_list("estate", "n")
    )
    lines = []
    for row in rows:
        line = _line(
            row.estate,
            row.status,
            url=reverse("zero_dashboard_estate", args=[row.estate.pk])
            + _query(period=period.param()),
            link=_counted(period, row.estate.pk),
        )
        line.pending = pending.get(row.estate.pk, 0)
        line.pending_url = _incident_list(
            status__exact=IncidentStatus.PENDING, estate__id__exact=row.estate.pk
        )
        lines.append(line)
    return lines


def _rankings(user, period: Period, places: Places, estates: QuerySet[Estate]) -> dict:
    """The communities of the town (town level only), and the estates of the community chosen
    (or the user's only one). A secretary sees its own estate's place, not its neighbours'."""
    town_level = _is_town_level(user)
    found = {"town_level": town_level, "communities_ranked": None, "estates_ranked": None}
    if town_level and places.town is not None:
        found["communities_ranked"] = community_ranking(year=period.year, town=places.town)
    community = places.community or (
        places.communities[0] if len(places.communities) == 1 else None
    )
    if community is not None:
        ranked = estate_ranking(year=period.year, community=community)
        found["ranked_community"] = community
        found["ranked_of"] = len(ranked)
        if not town_level and staff_scope(user) and staff_scope(user).estate_id:
            ranked = [r for r in ranked if r.place.pk == staff_scope(user).estate_id]
        found["estates_ranked"] = ranked
    found["communities_ranked"] = _with_ties(found["communities_ranked"])
    found["estates_ranked"] = _with_ties(found["estates_ranked"])
    return found


def _with_ties(ranking: list[Ranked] | None) -> list[dict] | None:
    """Each place with `shared` when another holds the same rank (shown as "=2")."""
    if ranking is None:
        return None
    held: dict[int, int] = {}
    for r in ranking:
        held[r.rank] = held.get(r.rank, 0) + 1
    return [{"r": r, "shared": held[r.rank] > 1} for r in ranking]


@login_required
@require_safe
def zero_dashboard(request):
    _staff_only(request)
    period, places, estates = _staff_places(request)
    rolled = rollups(period=period, estates=estates)
    choose_community = _choose_community(request, period, places, rolled)
    lines = [] if choose_community else _staff_lines(period, estates)
    context = _board_context(period, places, estates, lines, rolled=rolled)
    context["choose_community"] = choose_community
    context.update(_rankings(request.user, period, places, estates))
    context["export"] = reverse("zero_dashboard_export") + _query(
        period=period.param(), **places.params()
    )
    return render(request, "zeroindex/dashboard.html", context)


@login_required
@require_safe
def zero_dashboard_estate(request, estate_id: int):
    _staff_only(request)
    estate = get_object_or_404(
        estates_for(request.user).select_related("community__town"), pk=estate_id
    )
    period = Period.parse(request.GET.get("period"))

    def link_for(building):
        return _counted(period, estate.pk, building.pk if building else None)

    context = _estate_context(period, estate, link_for)
    context["back"] = reverse("zero_dashboard") + _query(period=period.param())
    context["staff"] = True
    context["board_name"] = _("Five Zeros dashboard")
    return render(request, "zeroindex/estate.html", context)


@login_required
@require_safe
def zero_dashboard_export(request):
    """One row per estate of the page: community, estate, period, each category's mark and
    count, five-zero, streak. UTF-8 with a BOM, so Excel reads the Chinese."""
    _staff_only(request)
    period, places, estates = _staff_places(request)
    lines = _staff_lines(period, estates)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="five-zeros-{period.param()}.csv"'
    response.write(BOM)
    writer = csv.writer(response)
    header = [_("Community"), _("Estate"), _("Period")]
    for column in board_columns():
        header += [str(column.name), _("%(category)s: incidents") % {"category": column.name}]
    header += [_("five zeros"), _("months in a row")]
    writer.writerow([csv_safe(h) for h in header])
    for line in lines:
        row = [line.place.community.name, line.place.name, period.param()]
        for cell in line.cells:
            row += [str(cell.text), cell.count]
        row += [str(FIVE_ZERO_TEXT[line.status.five_zero]), line.status.streak]
        writer.writerow([csv_safe(v) for v in row])
    return response
