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

# This module's functions are being written (issue 9); their signatures and shapes are fixed.

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from django.db.models import QuerySet
from django.utils import timezone

from branches.models import Building, Community, Estate, Town

from .models import IncidentCategory

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


def estate_board(*, period: Period, estates: QuerySet[Estate]) -> list[EstateRow]:
    """Each estate's status for the period, ordered by community then name."""
    raise NotImplementedError


def building_board(*, period: Period, estate: Estate) -> list[BuildingRow]:
    """The estate's buildings' status for the period, then (building None) the incidents of
    the estate that name no building; they count for the estate but for no building."""
    raise NotImplementedError


def year_grid(*, year: int, estates: QuerySet[Estate]) -> list[GridRow]:
    """The year's picture: estates × months, each month's five-zero mark."""
    raise NotImplementedError


def rollups(*, period: Period, estates: QuerySet[Estate]) -> list[Rollup]:
    """One roll-up per community of these estates (by name), then the total (community None)."""
    raise NotImplementedError


def estate_ranking(*, year: int, community: Community) -> list[Ranked]:
    raise NotImplementedError


def community_ranking(*, year: int, town: Town) -> list[Ranked]:
    raise NotImplementedError


def five_zero_year(*, year: int, estates: QuerySet[Estate] | None = None) -> YearTitles:
    """The estates and buildings five-zero for the whole (ended, fully known) year: the
    year-end title. `estates` limits the search (all estates by default)."""
    raise NotImplementedError


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
