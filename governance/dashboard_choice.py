"""What a dashboard view shows: the period and the unit, read from the query string.

The choice lives in the URL so a view can be bookmarked and shared:

    ?period=2026-11      a month          ?period=2026-Q3   a quarter
    ?period=2026         a year           ?from=2026-01-05&to=2026-02-10   custom dates
    &unit=town-1 | community-3 | estate-12

`?period=` wins over `?from=&to=`. Bad input never errors: the page falls back (this year,
the user's home unit) and says why in `problems`. A unit is only ever the user's home unit
(the town, community or estate of its staff scope) or one inside it: an id from another
scope is refused like an unknown one, so no figure is ever computed over a foreign unit.
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Community, Estate, StaffRole, Town
from branches.scope import staff_scope

FIRST_YEAR, LAST_YEAR = 2000, 2100
# A custom period is at most about three years: the trend and the tables stay readable and
# the roll-up reads stay bounded.
CUSTOM_MAX_DAYS = 3 * 366

MONTH = re.compile(r"(\d{4})-(\d{1,2})")
QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
YEAR = re.compile(r"(\d{4})")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
UNIT = re.compile(r"(town|community|estate)-([0-9]{1,9})")


@dataclass(frozen=True)
class ReportPeriod:
    """Local calendar days from `start` to `end`, both included."""

    kind: str  # "month", "quarter", "year" or "custom"
    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> "ReportPeriod":
        last = calendar.monthrange(year, month)[1]
        return cls("month", date(year, month, 1), date(year, month, last))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "ReportPeriod":
        first = 3 * (quarter - 1) + 1
        last = calendar.monthrange(year, first + 2)[1]
        return cls("quarter", date(year, first, 1), date(year, first + 2, last))

    @classmethod
    def year(cls, year: int) -> "ReportPeriod":
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_at(self) -> datetime:
        """Aware local midnight of the first day."""
        return timezone.make_aware(datetime.combine(self.start, datetime.min.time()))

    @property
    def end_at(self) -> datetime:
        """Aware, exclusive: local midnight after the last day."""
        after = self.end + timedelta(days=1)
        return timezone.make_aware(datetime.combine(after, datetime.min.time()))

    def previous(self) -> "ReportPeriod":
        """The period of the same kind just before (a custom one: as many days, just before)."""
        if self.kind == "month":
            before = self.start - timedelta(days=1)
            return ReportPeriod.month(before.year, before.month)
        if self.kind == "quarter":
            before = self.start - timedelta(days=1)
            return ReportPeriod.quarter(before.year, (before.month - 1) // 3 + 1)
        if self.kind == "year":
            return ReportPeriod.year(self.start.year - 1)
        end = self.start - timedelta(days=1)
        return ReportPeriod("custom", end - timedelta(days=self.days - 1), end)

    def next(self) -> "ReportPeriod":
        """The period of the same kind just after (a custom one: as many days, just after)."""
        if self.kind == "month":
            after = self.end + timedelta(days=1)
            return ReportPeriod.month(after.year, after.month)
        if self.kind == "quarter":
            after = self.end + timedelta(days=1)
            return ReportPeriod.quarter(after.year, (after.month - 1) // 3 + 1)
        if self.kind == "year":
            return ReportPeriod.year(self.start.year + 1)
        start = self.end + timedelta(days=1)
        return ReportPeriod("custom", start, start + timedelta(days=self.days - 1))

    def params(self) -> dict[str, str]:
        if self.kind == "month":
            return {"period": f"{self.start:%Y-%m}"}
        if self.kind == "quarter":
            return {"period": f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"}
        if self.kind == "year":
            return {"period": str(self.start.year)}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("%(year)s-%(month)02d") % {"year": self.start.year, "month": self.start.month}
        if self.kind == "quarter":
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def is_running(self, today: date | None = None) -> bool:
        """The period has not ended yet: its figures are 'so far'."""
        today = today or timezone.localdate()
        return self.start <= today <= self.end


def _in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def parse_period(query, *, today: date | None = None) -> tuple[ReportPeriod, list[str]]:
    """The period a query string asks for, and what could not be understood."""
    today = today or timezone.localdate()
    fallback = ReportPeriod.year(today.year)
    text = (query.get("period") or "").strip()
    if text:
        if (m := QUARTER.fullmatch(text)) and _in_range(int(m[1])):
            return ReportPeriod.quarter(int(m[1]), int(m[2])), []
        if (m := MONTH.fullmatch(text)) and _in_range(int(m[1])) and 1 <= int(m[2]) <= 12:
            return ReportPeriod.month(int(m[1]), int(m[2])), []
        if (m := YEAR.fullmatch(text)) and _in_range(int(m[1])):
            return ReportPeriod.year(int(m[1])), []
        return fallback, [_("The period “%(text)s” was not understood.") % {"text": text[:40]}]
    start, end = (query.get("from") or "").strip(), (query.get("to") or "").strip()
    if not start and not end:
        return fallback, []
    try:
        if not (DAY.fullmatch(start) and DAY.fullmatch(end)):
            raise ValueError
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return fallback, [_("Give both dates as YYYY-MM-DD.")]
    if not (_in_range(first.year) and _in_range(last.year)):
        return fallback, [_("Dates must be between 2000 and 2100.")]
    if last < first:
        return fallback, [_("The end date is before the start date.")]
    if (last - first).days + 1 > CUSTOM_MAX_DAYS:
        return fallback, [
            _("A custom period is at most %(days)s days.") % {"days": CUSTOM_MAX_DAYS}
        ]
    return ReportPeriod("custom", first, last), []


@dataclass(frozen=True)
class Unit:
    """A town, a community or an estate: the place the figures are for."""

    level: str  # "town", "community" or "estate"
    place: Town | Community | Estate

    @property
    def param(self) -> str:
        return f"{self.level}-{self.place.pk}"

    @property
    def name(self) -> str:
        return self.place.name

    def rollup_filter(self) -> dict:
        """The unit as meetings.queries' roll-up readers take it."""
        return {self.level: self.place.pk}


@dataclass
class Choice:
    """What a dashboard request shows: the period, the unit, the units it may switch to,
    and what in the query string was not understood."""

    period: ReportPeriod
    unit: Unit
    home: Unit
    path: list[Unit]  # from home down to the unit
    children: list[Unit]  # one level below the unit (none below an estate)
    problems: list[str] = field(default_factory=list)

    def params(self, **changes) -> dict[str, str]:
        params = {**self.period.params(), "unit": self.unit.param}
        params.update(changes)
        return {k: v for k, v in params.items() if v not in (None, "")}

    def query_string(self, **changes) -> str:
        return "?" + urlencode(self.params(**changes))

    def with_period(self, period: ReportPeriod) -> str:
        """This view's query string for another period (custom dates dropped)."""
        return "?" + urlencode({**period.params(), "unit": self.unit.param})

    def with_unit(self, unit: Unit) -> str:
        return "?" + urlencode({**self.period.params(), "unit": unit.param})

    @property
    def child_level(self) -> str | None:
        return {"town": "community", "community": "estate"}.get(self.unit.level)


def home_unit(user) -> Unit | None:
    """The unit of the user's staff scope; a superuser's is the first town. None: no scope."""
    scope = staff_scope(user)
    if scope is None:
        if user.is_superuser:
            town = Town.objects.order_by("name", "pk").first()
            return Unit("town", town) if town else None
        return None
    if scope.role == StaffRole.TOWN_COMMITTEE:
        return Unit("town", scope.town)
    if scope.role == StaffRole.COMMUNITY_STAFF:
        return Unit("community", scope.community)
    return Unit("estate", scope.estate)


def _ancestry(unit: Unit) -> list[Unit]:
    """The unit and the units above it, from the top down (town, community, estate)."""
    place = unit.place
    if unit.level == "estate":
        community = place.community
        return [Unit("town", community.town), Unit("community", community), unit]
    if unit.level == "community":
        return [Unit("town", place.town), unit]
    return [unit]


def _find(level: str, pk: int, home: Unit) -> tuple[Unit, list[Unit] | None] | None:
    """The unit `level-pk` if it is the home unit or inside it, else None; with its estates
    when it is a community (read in the same query: the page's query budget), else None."""
    models = {"town": Town, "community": Community, "estate": Estate}
    inside = {
        ("town", "town"): {"id": home.place.pk},
        ("town", "community"): {"town_id": home.place.pk},
        ("town", "estate"): {"community__town_id": home.place.pk},
        ("community", "community"): {"id": home.place.pk},
        ("community", "estate"): {"community_id": home.place.pk},
        ("estate", "estate"): {"id": home.place.pk},
    }.get((home.level, level))
    if inside is None:
        return None
    if level == "community":
        estates = list(
            Estate.objects.filter(
                community_id=pk, **{f"community__{k}": v for k, v in inside.items()}
            )
            .select_related("community__town")
            .order_by("name", "pk")
        )
        if estates:
            return Unit(level, estates[0].community), [Unit("estate", e) for e in estates]
        # a community without estates yet: found by itself below, no children
    queryset = models[level].objects.filter(pk=pk, **inside)
    if level == "estate":
        queryset = queryset.select_related("community__town")
    elif level == "community":
        queryset = queryset.select_related("town")
    place = queryset.first()
    if place is None:
        return None
    return Unit(level, place), ([] if level == "community" else None)


def _children(unit: Unit) -> list[Unit]:
    if unit.level == "town":
        places = Community.objects.filter(town=unit.place).select_related("town")
        return [Unit("community", c) for c in places.order_by("name", "pk")]
    if unit.level == "community":
        places = Estate.objects.filter(community=unit.place).select_related("community__town")
        return [Unit("estate", e) for e in places.order_by("name", "pk")]
    return []


def choice_for(request, *, today: date | None = None) -> Choice | None:
    """The period and unit of a dashboard request in the user's scope; None when the user
    has no home unit (no staff scope): the caller refuses."""
    home = home_unit(request.user)
    if home is None:
        return None
    period, problems = parse_period(request.GET, today=today)
    unit, children = home, None
    asked = (request.GET.get("unit") or "").strip()
    if asked:
        m = UNIT.fullmatch(asked)
        found = _find(m[1], int(m[2]), home) if m else None
        if found is None:
            problems.append(_("That place is not in your scope; showing your own."))
        else:
            unit, children = found
    ancestry = _ancestry(unit)
    path = ancestry[[u.param for u in ancestry].index(home.param) :]
    if children is None:
        children = _children(unit)
    return Choice(period, unit, home, path, children, problems)


def period_options(current: ReportPeriod, *, today: date | None = None) -> list[tuple[str, list]]:
    """The period chooser's choices, grouped: the last five years, the last eight quarters
    and the last twenty-four months, newest first, each (param, label, selected); the period
    shown is among them even when older."""
    today = today or timezone.localdate()
    years = [ReportPeriod.year(today.year - n) for n in range(5)]
    quarters = [ReportPeriod.quarter(today.year, (today.month - 1) // 3 + 1)]
    months = [ReportPeriod.month(today.year, today.month)]
    while len(quarters) < 8:
        quarters.append(quarters[-1].previous())
    while len(months) < 24:
        months.append(months[-1].previous())
    groups = [(_("Years"), years), (_("Quarters"), quarters), (_("Months"), months)]
    shown = {p for _label, periods in groups for p in periods}
    if current.kind != "custom" and current not in shown:
        index = {"year": 0, "quarter": 1, "month": 2}[current.kind]
        groups[index][1].append(current)
    return [
        (label, [(p.params()["period"], p.label, p == current) for p in periods])
        for label, periods in groups
    ]
