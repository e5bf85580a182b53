"""The Five Zeros read side: status by period, streaks, rankings, the year's picture and the
year-end titles. Every function reads with a fixed number of aggregate queries whatever the
number of estates, buildings and incidents (grouped by estate, month and category in the
database, in Asia/Shanghai time); Python only arranges the grouped rows.

Rules (DOMAIN.md part 3, DESIGN.md "Five Zeros"):
- only verified incidents count; pending and dismissed ones never do;
- a month belongs to the local calendar (TIME_ZONE): 23:30 on the last day is that month,
  00:10 on the first is the next;
- a place is zero in a category for a period when it has no verified incident of that
  category in the period's known months; "five-zero" when zero in all five;
- months before the estate's records start (`RecordsStart`) are unknown, never zero; an
  estate without a records start is unknown throughout; a building follows its estate;
- a period that has not ended is "so far"; months after the current one are in the future
  (unknown, and shown as not yet);
- a period partly before the records start: not zero where an incident was verified in its
  known months, else unknown (a year is five-zero only when all of it is known);
- a streak counts consecutive five-zero months that have ended, back from the given month
  (or from the month before it, while the given month is still running), never past the
  records start; per category the same for that category alone;
- rankings (estates in a community, communities in a town) for a year: most five-zero
  months, then the longest current streak, then the fewest verified incidents; equal on all
  three share a rank (1, 1, 3). A community is five-zero in a month when every estate of it
  whose records are known that month is five-zero (and at least one is known);
- roll-ups give, for a community and for the town, how many estates are known and five-zero
  for the period, and the share of known estates five-zero.
"""

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, DateField, Max, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from branches.models import Building, Community, Estate, Town

from .models import Incident, IncidentCategory, IncidentStatus, RecordsStart

CATEGORIES: list[str] = list(IncidentCategory.values)  # the board's five columns, in order


class Mark(StrEnum):
    ZERO = "zero"
    NOT_ZERO = "not_zero"
    UNKNOWN = "unknown"
    FUTURE = "future"  # a month that has not begun (the year's picture)


@dataclass(frozen=True)
class Period:
    """A calendar month (`month` 1–12) or a whole year (`month` None), in local time."""

    year: int
    month: int | None = None

    FIRST_YEAR = 2000
    LAST_YEAR = 2100

    @classmethod
    def current(cls, *, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(today.year, today.month)

    @classmethod
    def parse(cls, text: str | None, *, today: date | None = None) -> "Period":
        """'2026-11' or '2026' (also '2026-1'); anything else, or a year outside 2000–2100,
        gives the current month (never an error: the page just shows this month)."""
        match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?\s*", text or "")
        if match:
            year = int(match[1])
            month = int(match[2]) if match[2] else None
            if cls.FIRST_YEAR <= year <= cls.LAST_YEAR and (month is None or 1 <= month <= 12):
                return cls(year, month)
        return cls.current(today=today)

    @property
    def start(self) -> datetime:
        """Aware, local midnight of the first day."""
        return timezone.make_aware(datetime(self.year, self.month or 1, 1))

    @property
    def end(self) -> datetime:
        """Aware, exclusive: the start of the next period."""
        return self.next().start

    @property
    def months(self) -> list[date]:
        """First days of its months."""
        if self.month:
            return [date(self.year, self.month, 1)]
        return [date(self.year, m, 1) for m in range(1, 13)]

    @property
    def so_far(self) -> bool:
        """Begun, not ended."""
        return self.start <= timezone.now() < self.end

    @property
    def is_future(self) -> bool:
        return self.start > timezone.now()

    @property
    def ended(self) -> bool:
        return self.end <= timezone.now()

    def previous(self) -> "Period":
        if self.month is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> "Period":
        if self.month is None:
            return Period(self.year + 1)
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def param(self) -> str:
        """'2026-11' / '2026', for links (?period=)."""
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    def __str__(self) -> str:
        return self.param()


@dataclass
class Status:
    """One estate's or building's standing for a period."""

    marks: dict[str, Mark]  # category → zero / not zero / unknown
    counts: dict[str, int]  # verified incidents by category in the period's known months
    five_zero: Mark  # ZERO means five-zero
    so_far: bool
    records_start: date | None
    streak: int  # consecutive five-zero ended months up to the period's last month
    category_streaks: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class EstateRow:
    estate: Estate  # with its community
    status: Status


@dataclass
class BuildingRow:
    building: Building | None  # None: the estate's incidents with no building named
    status: Status


@dataclass
class GridCell:
    month: date
    mark: Mark  # the five-zero mark of that month (FUTURE for a month not begun)
    so_far: bool
    incidents: int


@dataclass
class GridRow:
    estate: Estate
    cells: list[GridCell]  # twelve, January to December
    five_zero_months: int


@dataclass
class Rollup:
    """How many estates of a community (or of the town: community None) are known and
    five-zero for a period."""

    community: Community | None
    estates: int
    known: int
    five_zero: int
    incidents: int

    @property
    def share(self) -> float | None:  # of known estates, None when none is known
        return self.five_zero / self.known if self.known else None


@dataclass
class Ranked:
    rank: int
    place: Estate | Community
    five_zero_months: int
    streak: int
    incidents: int


@dataclass
class YearTitles:
    year: int
    estates: list[Estate] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    ended: bool = True  # False: the year is still running (or to come), so no titles yet
    # Estates whose records do not cover the whole year (start later, or not set): no title.
    not_known: list[Estate] = field(default_factory=list)


# --- months ----------------------------------------------------------------------------------


def _shift(month: date, months: int) -> date:
    """The first day of the month `months` after (or before) `month`."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _between(first: date, last: date) -> int:
    """How many months from `first` to `last` (0 for the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def _month_start(month: date) -> datetime:
    return timezone.make_aware(datetime(month.year, month.month, 1))


def _month_of(moment: datetime) -> date:
    local = timezone.localtime(moment)
    return date(local.year, local.month, 1)


def _this_month() -> date:
    return timezone.localdate().replace(day=1)


def _streak_anchor(period: Period) -> date:
    """The month a streak counts back from: the period's last month, or, while that has not
    ended, the last month that has."""
    return min(period.months[-1], _shift(_this_month(), -1))


def _records_start(estate: Estate) -> date | None:
    try:
        return estate.zero_records.month  # select_related: no query
    except ObjectDoesNotExist:
        return None


def _estates(estates: QuerySet[Estate]) -> list[Estate]:
    """The estates with their community and records start, in one query."""
    return list(
        estates.select_related("community", "zero_records").order_by(
            "community__name", "name", "pk"
        )
    )


def _building_key(building: Building) -> list:
    """'2栋' before '10栋': the digits of a name compare as numbers."""
    parts = re.split(r"(\d+)", building.name)
    return [int(part) if i % 2 else part for i, part in enumerate(parts)]


# --- the grouped reads -----------------------------------------------------------------------
# Each is ONE aggregate query over the verified incidents of the places in question; Python
# only arranges its rows (at most places × months × 5), never the incidents themselves.

Months = dict[date, dict[str, int]]  # month → category → verified incidents
Lasts = dict[str, date]  # category → month of the latest verified incident


def _verified(estate_ids: Iterable[int]) -> QuerySet[Incident]:
    return Incident.objects.filter(status=IncidentStatus.VERIFIED, estate_id__in=estate_ids)


def _monthly(incidents: QuerySet[Incident], key: str, period: Period) -> dict[Hashable, Months]:
    """Verified incidents per place (`key`), local month and category in the period."""
    rows = (
        incidents.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
        .annotate(month=TruncMonth("occurred_at", output_field=DateField()))
        .values_list(key, "month", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[Hashable, Months] = defaultdict(lambda: defaultdict(dict))
    for place, month, category, n in rows:
        if isinstance(month, datetime):  # some backends hand back the truncated datetime
            month = month.date()
        out[place][month.replace(day=1)][category] = n
    return out


def _latest(incidents: QuerySet[Incident], key: str, before: date) -> dict[Hashable, Lasts]:
    """Per place (`key`) and category, the month of the latest verified incident before the
    month `before` begins: where a streak counting back from the month before it stops."""
    rows = (
        incidents.filter(occurred_at__lt=_month_start(before))
        .values_list(key, "category")
        .annotate(last=Max("occurred_at"))
        .order_by()
    )
    out: dict[Hashable, Lasts] = defaultdict(dict)
    for place, category, last in rows:
        out[place][category] = _month_of(last)
    return out


# --- one place's standing ----------------------------------------------------------------------


def _streak(records_start: date | None, last: date | None, anchor: date) -> int:
    """Five-zero months from the month after `last` (or the records start, if later) to the
    anchor, inclusive."""
    if records_start is None:
        return 0
    broken = _shift(records_start, -1)
    if last is not None and last > broken:
        broken = last
    return max(0, _between(broken, anchor))


def _status(
    *,
    period: Period,
    records_start: date | None,
    months: Months,
    lasts: Lasts | None,
    this_month: date,
    anchor: date,
) -> Status:
    begun = [m for m in period.months if m <= this_month]
    known = [m for m in begun if records_start is not None and m >= records_start]
    fully = bool(begun) and len(known) == len(begun)
    counts = {c: sum(months.get(m, {}).get(c, 0) for m in known) for c in CATEGORIES}
    marks = {
        c: Mark.NOT_ZERO if counts[c] else Mark.ZERO if fully else Mark.UNKNOWN for c in CATEGORIES
    }
    values = set(marks.values())
    if Mark.NOT_ZERO in values:
        five_zero = Mark.NOT_ZERO
    elif values == {Mark.ZERO}:
        five_zero = Mark.ZERO
    else:
        five_zero = Mark.UNKNOWN
    lasts = lasts or {}
    return Status(
        marks=marks,
        counts=counts,
        five_zero=five_zero,
        so_far=period.so_far,
        records_start=records_start,
        streak=_streak(records_start, max(lasts.values(), default=None), anchor),
        category_streaks={c: _streak(records_start, lasts.get(c), anchor) for c in CATEGORIES},
    )


def _month_mark(records_start: date | None, month: date, n: int, this_month: date) -> Mark:
    if month > this_month:
        return Mark.FUTURE
    if records_start is None or month < records_start:
        return Mark.UNKNOWN
    return Mark.NOT_ZERO if n else Mark.ZERO


# --- the boards --------------------------------------------------------------------------------


def _board(
    period: Period, estates: list[Estate], *, streaks: bool = True
) -> tuple[list[EstateRow], dict[Hashable, Months]]:
    """Each estate's status for the period (2 queries: counts, and latest for the streaks),
    and the grouped monthly counts behind it (for the grid and the rankings)."""
    ids = [e.pk for e in estates]
    this_month = _this_month()
    anchor = _streak_anchor(period)
    monthly = _monthly(_verified(ids), "estate_id", period) if ids else {}
    latest = _latest(_verified(ids), "estate_id", _shift(anchor, 1)) if ids and streaks else {}
    rows = [
        EstateRow(
            estate=estate,
            status=_status(
                period=period,
                records_start=_records_start(estate),
                months=monthly.get(estate.pk, {}),
                lasts=latest.get(estate.pk),
                this_month=this_month,
                anchor=anchor,
            ),
        )
        for estate in estates
    ]
    return rows, monthly


def estate_board(*, period: Period, estates: QuerySet[Estate]) -> list[EstateRow]:
    """Each estate's status for the period, ordered by community then name."""
    rows, _monthly_counts = _board(period, _estates(estates))
    return rows


def building_board(*, period: Period, estate: Estate) -> list[BuildingRow]:
    """The estate's buildings' status for the period, then (building None) the incidents of
    the estate that name no building; they count for the estate but for no building.

    Buildings follow the estate's records start; they come in their names' order with the
    numbers read as numbers (2栋 before 10栋). The last row is always there."""
    buildings = sorted(Building.objects.filter(estate=estate), key=_building_key)
    for building in buildings:
        building.estate = estate  # its name is in the building's str(): no query per row
    records_start = (
        RecordsStart.objects.filter(estate=estate).values_list("month", flat=True).first()
    )
    this_month = _this_month()
    anchor = _streak_anchor(period)
    incidents = _verified([estate.pk])
    monthly = _monthly(incidents, "building_id", period)
    latest = _latest(incidents, "building_id", _shift(anchor, 1))

    def status(key):
        return _status(
            period=period,
            records_start=records_start,
            months=monthly.get(key, {}),
            lasts=latest.get(key),
            this_month=this_month,
            anchor=anchor,
        )

    rows = [BuildingRow(building=b, status=status(b.pk)) for b in buildings]
    rows.append(BuildingRow(building=None, status=status(None)))
    return rows


def _grid_row(estate: Estate, months: Months, year: int, this_month: date) -> GridRow:
    records_start = _records_start(estate)
    cells = []
    for month in Period(year).months:
        mark = _month_mark(records_start, month, 0, this_month)
        n = sum(months.get(month, {}).values()) if mark != Mark.UNKNOWN else 0
        cells.append(
            GridCell(
                month=month,
                mark=_month_mark(records_start, month, n, this_month),
                so_far=month == this_month,
                incidents=n,
            )
        )
    return GridRow(
        estate=estate,
        cells=cells,
        # ended months only: the running month is zero "so far", not yet a five-zero month
        five_zero_months=sum(1 for c in cells if c.mark == Mark.ZERO and not c.so_far),
    )


def year_grid(*, year: int, estates: QuerySet[Estate]) -> list[GridRow]:
    """The year's picture: estates × months, each month's five-zero mark.

    A month before the records start is UNKNOWN and shows no incidents (like the board, only
    known months count); the running month is marked with `so_far`; later months are FUTURE.
    `five_zero_months` counts ended months only."""
    estates = _estates(estates)
    ids = [e.pk for e in estates]
    monthly = _monthly(_verified(ids), "estate_id", Period(year)) if ids else {}
    this_month = _this_month()
    return [_grid_row(e, monthly.get(e.pk, {}), year, this_month) for e in estates]


def rollups(*, period: Period, estates: QuerySet[Estate]) -> list[Rollup]:
    """One roll-up per community of these estates (by name), then the total (community None).

    An estate is "known" for the period when its five-zero mark is not unknown (a year
    partly before the records start with an incident in its known months is known: not
    five-zero)."""
    rows, _monthly_counts = _board(period, _estates(estates), streaks=False)
    by_community: dict[int, Rollup] = {}
    total = Rollup(community=None, estates=0, known=0, five_zero=0, incidents=0)
    for row in rows:  # ordered by community name
        community = row.estate.community
        rollup = by_community.setdefault(
            community.pk,
            Rollup(community=community, estates=0, known=0, five_zero=0, incidents=0),
        )
        for target in (rollup, total):
            target.estates += 1
            target.known += row.status.five_zero != Mark.UNKNOWN
            target.five_zero += row.status.five_zero == Mark.ZERO
            target.incidents += row.status.total
    return [*by_community.values(), total]


# --- rankings ---------------------------------------------------------------------------------


def _ranked(places: list[tuple[Estate | Community, int, int, int, bool]]) -> list[Ranked]:
    """Competition ranking (1, 1, 3): most five-zero months, then the longest current streak,
    then the fewest incidents; equal on all three share a rank (listed by name). A place
    with no known month in the year (last tuple item False) ranks after every known one:
    its "no incident" is no record at all. Sorting here is over the places (estates of a
    community, communities of a town), never incidents."""
    places = sorted(places, key=lambda p: (not p[4], -p[1], -p[2], p[3], p[0].name, p[0].pk))
    ranked: list[Ranked] = []
    previous_known = None
    for position, (place, months, streak, incidents, known) in enumerate(places, start=1):
        previous = ranked[-1] if ranked else None
        same = (
            previous is not None
            and previous_known == known
            and (previous.five_zero_months, previous.streak, previous.incidents)
            == (months, streak, incidents)
        )
        previous_known = known
        ranked.append(
            Ranked(
                rank=previous.rank if same else position,
                place=place,
                five_zero_months=months,
                streak=streak,
                incidents=incidents,
            )
        )
    return ranked


def estate_ranking(*, year: int, community: Community) -> list[Ranked]:
    """The community's estates for the year: five-zero months (ended, known months with no
    verified incident), then the current streak (at the year's end, or now while it runs),
    then the fewest verified incidents in the year's known months."""
    period = Period(year)
    estates = _estates(Estate.objects.filter(community=community))
    rows, monthly = _board(period, estates)
    this_month = _this_month()
    places = []
    for row in rows:
        grid = _grid_row(row.estate, monthly.get(row.estate.pk, {}), year, this_month)
        known = any(c.mark not in (Mark.UNKNOWN, Mark.FUTURE) for c in grid.cells)
        places.append(
            (row.estate, grid.five_zero_months, row.status.streak, row.status.total, known)
        )
    return _ranked(places)


def _community_streak(estates: list[EstateRow], lasts: dict[Hashable, Lasts], anchor: date):
    """A community's streak: back from the anchor while at least one estate is known and
    every known estate is five-zero. It breaks at the latest of: the month before the
    earliest records start, and each estate's latest incident within its known months."""
    starts = [s for row in estates if (s := row.status.records_start) is not None]
    if not starts:
        return 0
    broken = _shift(min(starts), -1)
    for row in estates:
        start = row.status.records_start
        last = max(lasts.get(row.estate.pk, {}).values(), default=None)
        if start is not None and last is not None and last >= start and last > broken:
            broken = last
    return max(0, _between(broken, anchor))


def community_ranking(*, year: int, town: Town) -> list[Ranked]:
    """The town's communities for the year, by the same three keys. A community is five-zero
    in a month when every estate of it whose records are known that month is five-zero (and
    at least one is known); its incidents are its estates' verified incidents."""
    period = Period(year)
    communities = list(Community.objects.filter(town=town).order_by("name", "pk"))
    estates = _estates(Estate.objects.filter(community__town=town))
    ids = [e.pk for e in estates]
    this_month = _this_month()
    anchor = _streak_anchor(period)
    rows, monthly = _board(period, estates, streaks=False)
    lasts = _latest(_verified(ids), "estate_id", _shift(anchor, 1)) if ids else {}
    members: dict[int, list[EstateRow]] = defaultdict(list)
    for row in rows:
        members[row.estate.community_id].append(row)
    ended = [m for m in period.months if m < this_month]
    places = []
    for community in communities:
        rows_of = members.get(community.pk, [])
        months = 0
        for month in ended:
            known = [
                r for r in rows_of if r.status.records_start and r.status.records_start <= month
            ]
            if known and not any(monthly.get(r.estate.pk, {}).get(month) for r in known):
                months += 1
        streak = _community_streak(rows_of, lasts, anchor)
        incidents = sum(r.status.total for r in rows_of)
        last_begun = min(period.months[-1], this_month)
        known = any(
            r.status.records_start is not None and r.status.records_start <= last_begun
            for r in rows_of
        )
        places.append((community, months, streak, incidents, known))
    return _ranked(places)


# --- the year-end title -----------------------------------------------------------------------


def five_zero_year(*, year: int, estates: QuerySet[Estate] | None = None) -> YearTitles:
    """The estates and buildings five-zero for the whole (ended, fully known) year: the
    year-end title. `estates` limits the search (all estates by default).

    A year not yet ended gives no titles (`ended` False, no query). An estate whose records
    start after January of that year (or not at all) gets none, nor do its buildings
    (`not_known`). A building of a known estate is five-zero when no verified incident names
    it, even if its estate had incidents elsewhere."""
    titles = YearTitles(year=year)
    period = Period(year)
    if not period.ended:
        titles.ended = False
        return titles
    everyone = _estates(Estate.objects.all() if estates is None else estates)
    known = []
    for estate in everyone:
        start = _records_start(estate)
        (known if start is not None and start <= date(year, 1, 1) else titles.not_known).append(
            estate
        )
    if not known:
        return titles
    ids = [e.pk for e in known]
    rows = (
        _verified(ids)
        .filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
        .values_list("estate_id", "building_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    broken_estates, broken_buildings = set(), set()
    for estate_id, building_id, _n in rows:
        broken_estates.add(estate_id)
        broken_buildings.add(building_id)
    by_pk = {e.pk: e for e in known}
    titles.estates = [e for e in known if e.pk not in broken_estates]
    buildings = [
        b for b in Building.objects.filter(estate_id__in=ids) if b.pk not in broken_buildings
    ]
    for building in buildings:
        building.estate = by_pk[building.estate_id]
    order = {pk: i for i, pk in enumerate(ids)}
    titles.buildings = sorted(buildings, key=lambda b: (order[b.estate_id], _building_key(b), b.pk))
    return titles


# --- survey task lists ---------------------------------------------------------------------
#
# Counted in the database (Count with a filter), one query whatever the number of rounds,
# suggestions and tasks. Completion rate = done / (tasks − dropped): a dropped task neither
# helps nor hurts; None while there is no task left to count.


@dataclass(frozen=True)
class Completion:
    suggestions: int
    tasks: int
    done: int
    dropped: int
    open: int  # open or in progress
    overdue: int  # open or in progress, due before today

    @property
    def rate(self) -> float | None:
        counted = self.tasks - self.dropped
        return self.done / counted if counted else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


def _completion_counts(relation: str = "") -> dict:
    """The Count annotations over tasks: those reached by `relation` (e.g.
    "suggestions__task"), or with no relation the rows of a SurveyTask query themselves."""
    from django.db.models import Count, Q

    from .models import TaskStatus

    target = relation or "pk"
    column = f"{relation}__" if relation else ""
    unfinished = Q(**{f"{column}status__in": [TaskStatus.OPEN, TaskStatus.IN_PROGRESS]})
    return {
        "n_tasks": Count(target),
        "n_done": Count(target, filter=Q(**{f"{column}status": TaskStatus.DONE})),
        "n_dropped": Count(target, filter=Q(**{f"{column}status": TaskStatus.DROPPED})),
        "n_open": Count(target, filter=unfinished),
        "n_overdue": Count(
            target, filter=unfinished & Q(**{f"{column}due_on__lt": timezone.localdate()})
        ),
    }


def rounds_with_completion(rounds: QuerySet) -> QuerySet:
    """Survey rounds annotated with their counts (read them with `completion_of`)."""
    from django.db.models import Count

    # A suggestion has at most one task: the join multiplies no row, so no DISTINCT.
    return rounds.annotate(
        n_suggestions=Count("suggestions"), **_completion_counts("suggestions__task")
    )


def completion_of(row) -> Completion:
    """The counts of a row annotated by `rounds_with_completion` or `estate_completion`."""
    return Completion(
        suggestions=row.n_suggestions,
        tasks=row.n_tasks,
        done=row.n_done,
        dropped=row.n_dropped,
        open=row.n_open,
        overdue=row.n_overdue,
    )


def round_completion(*, round) -> Completion:
    """One round's counts (its page)."""
    from .models import SurveyRound

    return completion_of(rounds_with_completion(SurveyRound.objects.filter(pk=round.pk)).get())


def estate_completion(*, estates: QuerySet[Estate]) -> list[tuple[Estate, Completion]]:
    """Each of these estates that has a survey round, with the counts of all its rounds, by
    name: three grouped queries (estates, suggestions, tasks) at any size."""
    from django.db.models import Count

    from .models import Suggestion, SurveyRound, SurveyTask

    with_rounds = list(
        estates.filter(pk__in=SurveyRound.objects.values("estate")).order_by("name", "pk")
    )
    ids = [estate.pk for estate in with_rounds]
    suggestions = dict(
        Suggestion.objects.filter(round__estate__in=ids)
        .values_list("round__estate")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tasks = {
        row["estate"]: row
        for row in SurveyTask.objects.filter(estate__in=ids)
        .values("estate")
        .annotate(**_completion_counts())
        .order_by()
    }
    result = []
    for estate in with_rounds:
        row = tasks.get(estate.pk, {})
        result.append(
            (
                estate,
                Completion(
                    suggestions=suggestions.get(estate.pk, 0),
                    tasks=row.get("n_tasks", 0),
                    done=row.get("n_done", 0),
                    dropped=row.get("n_dropped", 0),
                    open=row.get("n_open", 0),
                    overdue=row.get("n_overdue", 0),
                ),
            )
        )
    return result


def task_owners_for(*, estate: Estate) -> QuerySet:
    """Who may own a task of this estate: active staff working in it (its secretaries) or
    in its community (the community's staff)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(staff_scope__estate_id=estate.pk) | Q(staff_scope__community_id=estate.community_id)
        )
        .order_by("username")
    )


# --- a year's five zeros per estate (the branch annual report) ------------------------------


@dataclass(frozen=True)
class EstateYearZeros:
    five_zero_months: int  # ended months known and five-zero (year_grid)
    five_zero_year: bool  # the year-end title (five_zero_year)
    categories: dict[str, int]  # verified incidents in the year, the non-zero categories only


def estate_year_zeros(*, year: int, estates: QuerySet[Estate]) -> dict[int, EstateYearZeros]:
    """By estate id, its five zeros of `year`: a fixed number of queries at any size (the
    grid's and the title's grouped reads, and one more for the categories)."""
    grid = {row.estate.pk: row for row in year_grid(year=year, estates=estates)}
    titled = {e.pk for e in five_zero_year(year=year, estates=estates).estates}
    monthly = _monthly(_verified(list(grid)), "estate_id", Period(year)) if grid else {}
    result = {}
    for estate_id, row in grid.items():
        categories: dict[str, int] = {}
        for counts in monthly.get(estate_id, {}).values():
            for category, n in counts.items():
                categories[category] = categories.get(category, 0) + n
        result[estate_id] = EstateYearZeros(
            five_zero_months=row.five_zero_months,
            five_zero_year=estate_id in titled,
            categories={c: categories[c] for c in CATEGORIES if categories.get(c)},
        )
    return result


def estate_year_tasks(*, year: int, estate_ids: list[int]) -> dict[int, tuple[int, int]]:
    """By estate id, (done, counted) of its survey tasks due in `year`; a dropped task is not
    counted (as in Completion). One grouped query."""
    from django.db.models import Q

    from .models import SurveyTask, TaskStatus

    rows = (
        SurveyTask.objects.filter(estate__in=estate_ids, due_on__year=year)
        .values_list("estate")
        .annotate(
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            counted=Count("pk", filter=~Q(status=TaskStatus.DROPPED)),
        )
        .order_by()
    )
    return {estate_id: (done, counted) for estate_id, done, counted in rows}
