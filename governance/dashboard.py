"""The committee's dashboard: every figure, table and chart of `/dashboard/` for a Choice (a
period and a unit, governance.dashboard_choice), computed by one function, `dashboard_for`,
which also feeds the CSV and XLSX downloads and the printable report.

The appeal figures come from the daily roll-ups (meetings.rollups says what each count
means), never from the appeals: a fixed number of aggregate queries whatever the number of
appeals, and Python only arranges their grouped rows (at most periods × months × places).

The headline figures and their formulas (each shown on the page as a footnote):

- **received**: appeals filed in the period (by the local day each was filed);
- **response rate**: of those, the share acknowledged within the response deadline
  (APPEAL_RESPONSE_DAYS after filing, whenever the acknowledgement came);
- **resolution rate**: of the return visits recorded in the period that reached the
  resident, the share that found the problem solved;
- **satisfaction rate**: of the return visits in the period with a satisfaction answer, the
  share satisfied, or basically satisfied when DASHBOARD_BASICALLY_SATISFIED_COUNTS;
- **visits on time**: of the return visits in the period, the share recorded by the
  return-visit due date in force then;
- **overdue now**: open appeals of the unit past their due date at a step staff work on
  (acknowledging, routing, handling): a live count, not of the period;
- **reopened**, **declined**: the moves of that kind made in the period;
- **not reached**: the return visits in the period that did not reach the resident;
- **repeat appeals**: appeals filed in the period that repeat an earlier one (the same
  estate, category and telephone within APPEAL_REPEAT_WINDOW_DAYS).

A rate whose denominator is zero is None (shown "—", never 0%). Each figure stands beside
the same figure for the previous period (ReportPeriod.previous()).

The places' table ranks the unit's communities (a town) or estates (a community) by one of
the three rates; a place with fewer appeals received than DASHBOARD_MIN_CASES, or with no
denominator for that rate, is shown but not ranked, with the reason. Equal rates share a
rank (1, 1, 3).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Estate
from branches.names import localized
from branches.scope import VIEW, may
from meetings import queries as appeal_queries
from meetings.models import MeetingType, Source, Status
from meetings.moves import MOVES
from zeroindex.queries import Mark, estate_board
from zeroindex.queries import Period as ZeroPeriod

from .dashboard_choice import Choice, ReportPeriod, Unit
from .models import DepartmentEvaluation

# What a cell holds, which says how the page and the files write it.
TEXT, COUNT, RATE, DAYS, RANK, NUMBER = "text", "count", "rate", "days", "rank", "number"

RANK_BY = {
    "response": gettext_lazy("response rate"),
    "resolution": gettext_lazy("resolution rate"),
    "satisfaction": gettext_lazy("satisfaction rate"),
}
DEFAULT_RANK = "satisfaction"


@dataclass
class Column:
    key: str
    label: str
    kind: str = COUNT


@dataclass(frozen=True)
class Cell:
    """A value of its own kind in a column of mixed kinds (the headline table's counts and
    rates)."""

    kind: str
    value: object


@dataclass
class Row:
    cells: list
    url: str = ""  # the first cell's link (a place's drill-down)
    note: str = ""  # why a place is not ranked


@dataclass
class Table:
    """One of the page's tables, and one download (`/dashboard/table/<name>.csv`)."""

    name: str
    title: str
    columns: list[Column]
    rows: list[Row]
    footnote: str = ""

    def values(self) -> list[list]:
        return [row.cells for row in self.rows]


@dataclass
class Figure:
    """A headline figure beside the previous period's (None: a live count, no previous)."""

    key: str
    label: str
    kind: str  # COUNT or RATE
    value: int | float | None
    previous: int | float | None
    formula: str
    detail: str = ""  # "12 of 15", for a rate
    live: bool = False

    @property
    def change(self) -> float | None:
        """This period less the previous (a rate's in percentage points)."""
        if self.live or self.value is None or self.previous is None:
            return None
        if self.kind == RATE:
            return round(100 * (self.value - self.previous), 1)
        return self.value - self.previous


@dataclass
class Dashboard:
    choice: Choice
    figures: list[Figure]
    tables: dict[str, Table]
    charts: dict[str, dict]
    rank_by: str
    zeros_period: ZeroPeriod
    zeros_summary: dict
    grades_year: int | None = None
    shows_grades: bool = False
    child_level: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def previous(self) -> ReportPeriod:
        return self.choice.period.previous()


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole, or None when there is nothing to divide (shown "—", never 0%)."""
    return part / whole if whole else None


def _basically_counts() -> bool:
    return bool(getattr(settings, "DASHBOARD_BASICALLY_SATISFIED_COUNTS", True))


def min_cases() -> int:
    return int(getattr(settings, "DASHBOARD_MIN_CASES", 10))


def _satisfied(visits: dict) -> int:
    extra = visits.get("basically_satisfied", 0) if _basically_counts() else 0
    return visits.get("satisfied", 0) + extra


def _rates(appeals: dict, visits: dict) -> dict[str, float | None]:
    return {
        "response": rate(appeals.get("acknowledged_in_time", 0), appeals.get("received", 0)),
        "resolution": rate(visits.get("solved", 0), visits.get("reached", 0)),
        "satisfaction": rate(_satisfied(visits), visits.get("satisfaction_answered", 0)),
    }


def _summed(rows: list[dict], **match) -> dict[str, int]:
    """The count columns of the rows that match, summed."""
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            for key, value in row.items():
                if isinstance(value, int) and key not in ("unit",):
                    total[key] += value
    return total


def _months(period: ReportPeriod) -> list[date]:
    first, months = period.start.replace(day=1), []
    while first <= period.end:
        months.append(first)
        first = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return months


def _month_of(value) -> date:
    return value.date().replace(day=1) if hasattr(value, "date") else value.replace(day=1)


# --- the headline figures ------------------------------------------------------------------


def formulas() -> dict[str, str]:
    satisfied = (
        _("answered satisfied or basically satisfied")
        if _basically_counts()
        else _("answered satisfied (basically satisfied does not count)")
    )
    return {
        "received": _("Appeals filed in the period, by the day each was filed."),
        "response": _(
            "Appeals filed in the period and acknowledged within %(days)s day(s) of filing "
            "÷ appeals filed in the period."
        )
        % {"days": settings.APPEAL_RESPONSE_DAYS},
        "resolution": _(
            "Return visits in the period that found the problem solved ÷ return visits in the "
            "period that reached the resident."
        ),
        "satisfaction": _(
            "Return visits in the period %(satisfied)s ÷ return visits in the period with a "
            "satisfaction answer."
        )
        % {"satisfied": satisfied},
        "on_time": _(
            "Return visits recorded by their due date ÷ return visits recorded in the period."
        ),
        "overdue": _(
            "Open appeals past their due date for acknowledging, routing or handling, at this "
            "moment (not a figure of the period)."
        ),
        "reopened": _(
            "Appeals reopened in the period: a return visit found the problem unsolved, or a "
            "department sent the appeal back."
        ),
        "declined": _(
            "Appeals closed as declined in the period: at a meeting, by the branch secretary, "
            "or rejected by a hearing's vote."
        ),
        "not_reached": _("Return visits in the period that did not reach the resident."),
        "repeat": _(
            "Appeals filed in the period about the same problem as an earlier one (the same "
            "estate, category and telephone within %(days)s days)."
        )
        % {"days": settings.APPEAL_REPEAT_WINDOW_DAYS},
    }


def _detail(part: int, whole: int) -> str:
    return _("%(part)s of %(whole)s") % {"part": part, "whole": whole} if whole else ""


def _figures(appeals, visits, before_appeals, before_visits, overdue) -> list[Figure]:
    text = formulas()
    now_rates, before_rates = _rates(appeals, visits), _rates(before_appeals, before_visits)

    def count(key, label, column, source, before):
        return Figure(key, label, COUNT, source.get(column, 0), before.get(column, 0), text[key])

    return [
        count("received", _("Received"), "received", appeals, before_appeals),
        Figure(
            "response",
            _("Response rate"),
            RATE,
            now_rates["response"],
            before_rates["response"],
            text["response"],
            _detail(appeals.get("acknowledged_in_time", 0), appeals.get("received", 0)),
        ),
        Figure(
            "resolution",
            _("Resolution rate"),
            RATE,
            now_rates["resolution"],
            before_rates["resolution"],
            text["resolution"],
            _detail(visits.get("solved", 0), visits.get("reached", 0)),
        ),
        Figure(
            "satisfaction",
            _("Satisfaction rate"),
            RATE,
            now_rates["satisfaction"],
            before_rates["satisfaction"],
            text["satisfaction"],
            _detail(_satisfied(visits), visits.get("satisfaction_answered", 0)),
        ),
        Figure(
            "on_time",
            _("Return visits on time"),
            RATE,
            rate(visits.get("on_time", 0), visits.get("visits", 0)),
            rate(before_visits.get("on_time", 0), before_visits.get("visits", 0)),
            text["on_time"],
            _detail(visits.get("on_time", 0), visits.get("visits", 0)),
        ),
        Figure("overdue", _("Overdue now"), COUNT, overdue, None, text["overdue"], live=True),
        count("reopened", _("Reopened"), "reopened", appeals, before_appeals),
        count("declined", _("Declined"), "declined", appeals, before_appeals),
        count("not_reached", _("Not reached"), "not_reached", visits, before_visits),
        count("repeat", _("Repeat appeals"), "repeat", appeals, before_appeals),
    ]


def _headline_table(figures: list[Figure], choice: Choice) -> Table:
    previous = choice.period.previous()
    columns = [
        Column("figure", _("Figure"), TEXT),
        Column("period", choice.period.label, NUMBER),
        Column("previous", previous.label, NUMBER),
        Column("formula", _("Formula"), TEXT),
    ]
    rows = []
    for f in figures:
        rows.append(Row([f.label, Cell(f.kind, f.value), Cell(f.kind, f.previous), f.formula]))
    return Table("headline", _("Headline figures"), columns, rows)


# --- the places' table ---------------------------------------------------------------------


def _places_table(
    choice: Choice, appeal_rows: list[dict], visit_rows: list[dict], rank_by: str
) -> Table | None:
    level = choice.child_level
    if level is None:
        return None
    least = min_cases()
    places = []
    for child in choice.children:
        appeals = _summed(appeal_rows, period="current", unit=child.place.pk)
        visits = _summed(visit_rows, period="current", unit=child.place.pk)
        rates = _rates(appeals, visits)
        received = appeals.get("received", 0)
        if received < least:
            note = _("Fewer than %(n)s appeals received: shown, not ranked.") % {"n": least}
        elif rates[rank_by] is None:
            note = _("No %(rate)s to rank by (nothing to divide by).") % {"rate": RANK_BY[rank_by]}
        else:
            note = ""
        places.append((child, received, rates, visits, note))
    ranked = sorted(
        (p for p in places if not p[4]),
        key=lambda p: (-p[2][rank_by], -p[1], p[0].name),
    )
    unranked = sorted((p for p in places if p[4]), key=lambda p: p[0].name)
    rows, previous_rate, previous_rank = [], None, 0
    for position, (child, received, rates, visits, _note) in enumerate(ranked, start=1):
        value = round(rates[rank_by], 9)
        rank = previous_rank if value == previous_rate else position
        previous_rate, previous_rank = value, rank
        rows.append(_place_row(choice, child, rank, received, rates, visits, ""))
    for child, received, rates, visits, note in unranked:
        rows.append(_place_row(choice, child, None, received, rates, visits, note))
    title = _("Communities") if level == "community" else _("Estates")
    columns = [
        Column("rank", _("Rank"), RANK),
        Column("place", _("Community") if level == "community" else _("Estate"), TEXT),
        Column("received", _("Received")),
        Column("response", _("Response rate"), RATE),
        Column("resolution", _("Resolution rate"), RATE),
        Column("satisfaction", _("Satisfaction rate"), RATE),
        Column("visits", _("Return visits")),
        Column("note", _("Note"), TEXT),
    ]
    footnote = _(
        "Ranked by %(rate)s, highest first; equal rates share a rank. A place with fewer than "
        "%(n)s appeals received in the period is shown but not ranked."
    ) % {"rate": RANK_BY[rank_by], "n": least}
    return Table("places", title, columns, rows, footnote)


def _place_row(choice: Choice, child: Unit, rank, received, rates, visits, note) -> Row:
    cells = [
        rank,
        child.name,
        received,
        rates["response"],
        rates["resolution"],
        rates["satisfaction"],
        visits.get("visits", 0),
        note,
    ]
    return Row(cells, url=choice.with_unit(child), note=note)


# --- breakdowns ------------------------------------------------------------------------------


def _months_table(period: ReportPeriod, appeal_rows, visit_rows) -> Table:
    columns = [
        Column("month", _("Month"), TEXT),
        Column("received", _("Received")),
        Column("response", _("Response rate"), RATE),
        Column("resolved", _("Fix reported")),
        Column("closed_solved", _("Closed as solved")),
        Column("reopened", _("Reopened")),
        Column("declined", _("Declined")),
        Column("reached", _("Visits reaching the resident")),
        Column("resolution", _("Resolution rate"), RATE),
        Column("satisfaction", _("Satisfaction rate"), RATE),
    ]
    by_month_appeals: dict[date, dict] = defaultdict(lambda: defaultdict(int))
    by_month_visits: dict[date, dict] = defaultdict(lambda: defaultdict(int))
    for rows, target in ((appeal_rows, by_month_appeals), (visit_rows, by_month_visits)):
        for row in rows:
            if row["period"] == "current":
                month = _month_of(row["month"])
                for key, value in row.items():
                    if isinstance(value, int) and key != "unit":
                        target[month][key] += value
    table_rows = []
    for month in _months(period):
        a, v = by_month_appeals.get(month, {}), by_month_visits.get(month, {})
        rates = _rates(a, v)
        table_rows.append(
            Row(
                [
                    f"{month:%Y-%m}",
                    a.get("received", 0),
                    rates["response"],
                    a.get("resolved", 0),
                    a.get("closed_solved", 0),
                    a.get("reopened", 0),
                    a.get("declined", 0),
                    v.get("reached", 0),
                    rates["resolution"],
                    rates["satisfaction"],
                ]
            )
        )
    return Table("months", _("By month"), columns, table_rows)


def _categories_and_sources(rows: list[dict]) -> tuple[Table, Table]:
    categories: dict[int, dict] = {}
    sources: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        key = row["category_key"]
        entry = categories.setdefault(
            key,
            {"name": localized(row["category_name"], row["category_name_en"]), "n": {}},
        )
        for column, value in row.items():
            if isinstance(value, int) and column != "category_key":
                entry["n"][column] = entry["n"].get(column, 0) + value
                sources[row["source_key"]][column] += value
    total = sum(c["n"].get("received", 0) for c in categories.values())
    columns = [
        Column("category", _("Category"), TEXT),
        Column("received", _("Received")),
        Column("share", _("Share of received"), RATE),
        Column("response", _("Response rate"), RATE),
        Column("resolved", _("Fix reported")),
        Column("closed_solved", _("Closed as solved")),
        Column("reopened", _("Reopened")),
        Column("declined", _("Declined")),
    ]
    ordered = sorted(categories.values(), key=lambda c: (-c["n"].get("received", 0), c["name"]))
    category_rows = [
        Row(
            [
                c["name"],
                c["n"].get("received", 0),
                rate(c["n"].get("received", 0), total),
                rate(c["n"].get("acknowledged_in_time", 0), c["n"].get("received", 0)),
                c["n"].get("resolved", 0),
                c["n"].get("closed_solved", 0),
                c["n"].get("reopened", 0),
                c["n"].get("declined", 0),
            ]
        )
        for c in ordered
    ]
    source_columns = [
        Column("source", _("Source"), TEXT),
        Column("received", _("Received")),
        Column("share", _("Share of received"), RATE),
        Column("response", _("Response rate"), RATE),
    ]
    labels = dict(Source.choices)
    source_rows = [
        Row(
            [
                str(labels.get(key, key)),
                n.get("received", 0),
                rate(n.get("received", 0), total),
                rate(n.get("acknowledged_in_time", 0), n.get("received", 0)),
            ]
        )
        for key, n in sorted(sources.items(), key=lambda s: (-s[1].get("received", 0), s[0]))
    ]
    footnote = _(
        "Received and the response rate count the appeals filed in the period; the other "
        "columns the moves made in it."
    )
    return (
        Table("categories", _("By category"), columns, category_rows, footnote),
        Table("sources", _("By source"), source_columns, source_rows),
    )


# --- the meeting funnel ----------------------------------------------------------------------

NO_QUORUM = gettext_lazy("No quorum: to be heard again")
REGISTERED = gettext_lazy("Registered at the forum")


def _stages(steps: list[dict]) -> list[tuple[str, int]]:
    def total(**match):
        return sum(
            s["n"]
            for s in steps
            if all((s[k] in v if isinstance(v, tuple) else s[k] == v) for k, v in match.items())
        )

    routing = tuple(name for name in MOVES if name.startswith("route_")) + ("decline",)
    return [
        (_("Received"), total(move="submitted")),
        (
            _("Registered at a public sentiment forum"),
            total(move="submitted", meeting_type="forum"),
        ),
        (
            _("Decided at a party–masses meeting"),
            total(meeting_type=MeetingType.PARTY_MASSES),
        ),
        (_("Routed or declined by the branch secretary"), total(move=routing, meeting_type="")),
        (_("Sent to a coordination meeting"), total(to_status=Status.COORDINATING)),
        (
            _("Sent to a hearing"),
            total(to_status=Status.HEARING, move=("route_major", "coordination_major")),
        ),
        (_("Referred to a department"), total(to_status=Status.REFERRED)),
        (_("Fix reported"), total(to_status=Status.RESOLVED)),
        (_("Closed as solved"), total(move="visit_solved")),
    ]


def _funnel_tables(steps: list[dict]) -> tuple[Table, Table]:
    stages = _stages(steps)
    funnel = Table(
        "funnel",
        _("Meeting funnel"),
        [Column("stage", _("Step"), TEXT), Column("n", _("Appeals"))],
        [Row([label, n]) for label, n in stages],
        _(
            "Moves made in the period, not distinct appeals: an appeal heard twice counts "
            "twice. “Decided at a party–masses meeting” counts every decision taken there."
        ),
    )
    types = dict(MeetingType.choices)
    order = {kind: i for i, kind in enumerate(MeetingType.values)}
    decided: dict[tuple[str, str], int] = defaultdict(int)
    for s in steps:
        if not s["meeting_type"]:
            continue
        if s["move"] == "submitted":
            label = str(REGISTERED)
        elif s["move"] == "hearing_vote":
            label = str(NO_QUORUM)
        else:
            label = str(MOVES[s["move"]].label) if s["move"] in MOVES else s["move"]
        decided[(s["meeting_type"], label)] += s["n"]
    rows = [
        Row([str(types.get(kind, kind)), label, n])
        for (kind, label), n in sorted(
            decided.items(), key=lambda item: (order.get(item[0][0], 99), -item[1])
        )
    ]
    decisions = Table(
        "decisions",
        _("What each meeting decided"),
        [
            Column("meeting", _("Meeting"), TEXT),
            Column("decision", _("Decision"), TEXT),
            Column("n", _("Appeals")),
        ],
        rows,
    )
    return funnel, decisions


def _medians_table(medians: dict[str, dict]) -> Table:
    labels = dict(Status.choices)
    rows = [
        Row([str(labels[status]), medians[status]["appeals"], medians[status]["median_days"]])
        for status in Status.values
        if status in medians
    ]
    return Table(
        "medians",
        _("Median days in each status"),
        [
            Column("status", _("Status"), TEXT),
            Column("appeals", _("Appeals that left it")),
            Column("median", _("Median days"), DAYS),
        ],
        rows,
        _(
            "Whole local days between entering a status and leaving it, for the appeals that "
            "left it in the period (0: the same day)."
        ),
    )


def _meetings_table(held: dict) -> Table:
    rows = [Row([str(label), *held.get(kind, (0, 0))]) for kind, label in MeetingType.choices]
    return Table(
        "meetings",
        _("Meetings held"),
        [
            Column("type", _("Meeting"), TEXT),
            Column("held", _("Held")),
            Column("closed", _("Closed with minutes")),
        ],
        rows,
        _("An estate counts its own meetings and those of its whole community."),
    )


# --- the Five Zeros and the year end -------------------------------------------------------

FIVE_ZERO_TEXT = {
    Mark.ZERO: gettext_lazy("yes"),
    Mark.NOT_ZERO: gettext_lazy("no"),
    Mark.UNKNOWN: gettext_lazy("unknown"),
    Mark.FUTURE: gettext_lazy("not yet"),
}
FIVE_ZERO_SYMBOL = {Mark.ZERO: "✓", Mark.NOT_ZERO: "✗", Mark.UNKNOWN: "?", Mark.FUTURE: ""}


def zeros_period(period: ReportPeriod) -> ZeroPeriod:
    """Five Zeros are kept by month and year: a month or a year as it is; a quarter or
    custom dates as the month they end in."""
    if period.kind == "month":
        return ZeroPeriod(period.start.year, period.start.month)
    if period.kind == "year":
        return ZeroPeriod(period.start.year)
    return ZeroPeriod(period.end.year, period.end.month)


def _unit_estates(unit: Unit):
    return Estate.objects.filter(
        **{
            "town": {"community__town": unit.place.pk},
            "community": {"community": unit.place.pk},
            "estate": {"pk": unit.place.pk},
        }[unit.level]
    )


def _zeros(unit: Unit, period: ZeroPeriod) -> tuple[Table, dict]:
    board = estate_board(period=period, estates=_unit_estates(unit))
    rows = [
        Row(
            [
                r.estate.name,
                r.estate.community.name,
                f"{FIVE_ZERO_SYMBOL[r.status.five_zero]} {FIVE_ZERO_TEXT[r.status.five_zero]}",
                r.status.streak,
                r.status.total,
            ]
        )
        for r in board
    ]
    summary = {
        "estates": len(board),
        "known": sum(1 for r in board if r.status.five_zero != Mark.UNKNOWN),
        "five_zero": sum(1 for r in board if r.status.five_zero == Mark.ZERO),
    }
    table = Table(
        "zeros",
        _("Five Zeros"),
        [
            Column("estate", _("Estate"), TEXT),
            Column("community", _("Community"), TEXT),
            Column("five_zero", _("Five-zero"), TEXT),
            Column("streak", _("Five-zero months in a row")),
            Column("incidents", _("Verified incidents")),
        ],
        rows,
        _(
            "Only verified incidents count; months before an estate's records start are "
            "unknown. A streak counts ended months."
        ),
    )
    return table, summary


def _grades(up_to: int) -> tuple[Table, int | None]:
    """The departments' evaluations of the latest year end up to `up_to` (one query)."""
    latest = (
        DepartmentEvaluation.objects.filter(year__lte=up_to).order_by("-year").values("year")[:1]
    )
    evaluations = list(
        DepartmentEvaluation.objects.filter(year=Subquery(latest))
        .select_related("department")
        .order_by("department__level", "department__name")
    )
    rows = [
        Row(
            [
                str(e.department),
                e.get_grade_display(),
                float(e.score) if e.score is not None else None,
                e.get_status_display(),
            ]
        )
        for e in evaluations
    ]
    table = Table(
        "grades",
        _("Department grades"),
        [
            Column("department", _("Department"), TEXT),
            Column("grade", _("Grade"), TEXT),
            Column("score", _("Score"), NUMBER),
            Column("status", _("Status"), TEXT),
        ],
        rows,
    )
    return table, (evaluations[0].year if evaluations else None)


# --- charts ------------------------------------------------------------------------------------


def _charts(months: Table, categories: Table, funnel: Table) -> dict[str, dict]:
    """What static/js/dashboard.js draws (passed with json_script): labels and series."""

    def column(table: Table, key: str) -> list:
        index = [c.key for c in table.columns].index(key)
        return [row.cells[index] for row in table.rows]

    return {
        "trend": {
            "labels": column(months, "month"),
            "series": [
                {"label": _("Received"), "data": column(months, "received")},
                {"label": _("Fix reported"), "data": column(months, "resolved")},
                {"label": _("Closed as solved"), "data": column(months, "closed_solved")},
            ],
        },
        "categories": {
            "labels": column(categories, "category"),
            "series": [{"label": _("Received"), "data": column(categories, "received")}],
        },
        "funnel": {
            "labels": column(funnel, "stage"),
            "series": [{"label": _("Appeals"), "data": column(funnel, "n")}],
        },
    }


# --- the whole page ----------------------------------------------------------------------------


def dashboard_for(choice: Choice, *, user, rank_by: str = DEFAULT_RANK, now=None) -> Dashboard:
    """Everything `/dashboard/` shows for the choice, as figures, tables and chart data:
    the same for the page, the downloads and the printable report. A fixed number of
    queries whatever the number of appeals."""
    now = now or timezone.now()
    rank_by = rank_by if rank_by in RANK_BY else DEFAULT_RANK
    period, unit = choice.period, choice.unit
    previous = period.previous()
    where = unit.rollup_filter()
    span = {"current": (period.start, period.end), "previous": (previous.start, previous.end)}
    level = choice.child_level
    appeal_rows = appeal_queries.two_periods(**span, figures="appeals", level=level, **where)
    visit_rows = appeal_queries.two_periods(**span, figures="visits", level=level, **where)
    appeals, visits = _summed(appeal_rows, period="current"), _summed(visit_rows, period="current")
    before_appeals = _summed(appeal_rows, period="previous")
    before_visits = _summed(visit_rows, period="previous")
    overdue = appeal_queries.overdue_count(now=now, **where)
    figures = _figures(appeals, visits, before_appeals, before_visits, overdue)

    categories, sources = _categories_and_sources(
        appeal_queries.by_category_and_source(start=period.start, end=period.end, **where)
    )
    months = _months_table(period, appeal_rows, visit_rows)
    funnel, decisions = _funnel_tables(
        appeal_queries.funnel(start=period.start, end=period.end, **where)
    )
    medians = _medians_table(
        appeal_queries.status_medians(start=period.start, end=period.end, **where)
    )
    held = appeal_queries.meetings_held(
        start=period.start_at, end=period.end_at, **{unit.level: unit.place}
    )
    zperiod = zeros_period(period)
    zeros, zeros_summary = _zeros(unit, zperiod)

    tables = {"headline": _headline_table(figures, choice)}
    places = _places_table(choice, appeal_rows, visit_rows, rank_by)
    if places is not None:
        tables["places"] = places
    for table in (months, categories, sources, funnel, decisions, medians, _meetings_table(held)):
        tables[table.name] = table
    tables["zeros"] = zeros
    shows_grades = may(user, VIEW, DepartmentEvaluation)
    grades_year = None
    if shows_grades:
        tables["grades"], grades_year = _grades(period.end.year)
    notes = []
    if period.is_running(timezone.localdate(now)):
        notes.append(_("The period has not ended: its figures are so far."))
    return Dashboard(
        choice=choice,
        figures=figures,
        tables=tables,
        charts=_charts(months, categories, funnel),
        rank_by=rank_by,
        zeros_period=zperiod,
        zeros_summary=zeros_summary,
        grades_year=grades_year,
        shows_grades=shows_grades,
        child_level=level,
        notes=notes,
    )
