"""The appeals export (issue 11): one row per appeal of a unit received in a period, for the
committee's spreadsheets.

Every cell is computed by the database, so the rows go from the cursor to the file as they
come (`branches.spreadsheets`) and nothing holds them:

- the resident's name and phone are masked in SQL, so the real values never reach Python:
  the phone as `138****5678` (`branches.phones.mask_phone`'s form: the first three and last
  four digits), the name as its first character and `*`; an erased contact stays empty;
- times are local (`TIME_ZONE`) text to the minute;
- source, status, closure reason and satisfaction are the choices' labels in the reader's
  language, estate and category names too (the category's English name on an English page,
  where it has one), each put into the SQL as it is built;
- "routed" is when the appeal was last routed (a reopened appeal is routed again, and
  "resolved" is its latest fix too, so a row reads in order); "satisfaction" is the answer of
  its latest return visit (empty when that visit did not reach the resident);
- a text a town types (estate, category, the name's first character) that starts like a
  formula gets an apostrophe (`formula_safe`).

The views (governance/export_views.py) choose the period and unit and write the file;
`scripts/bench_export.py` times the same query against PostgreSQL's COPY of it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    Concat,
    Left,
    Length,
    NullIf,
    Repeat,
    Right,
    TruncMinute,
)
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy

from branches.names import english_is_active
from branches.spreadsheets import formula_safe

from .models import AppealEvent, ClosureReason, ReturnVisit, Satisfaction, Source, Status
from .scope import appeals_for

ROUTE_MOVES = ("route_handle", "route_coordinate", "route_major", "route_refer")
ROWS_PER_FETCH = 2000


@dataclass(frozen=True)
class Column:
    header: str  # lazy: in the reader's language when the file is written
    width: float  # in characters, for the XLSX


COLUMNS = [
    Column(gettext_lazy("Tracking code"), 11),
    Column(gettext_lazy("Estate"), 16),
    Column(gettext_lazy("Category"), 12),
    Column(gettext_lazy("Source"), 12),
    Column(gettext_lazy("Received at"), 17),
    Column(gettext_lazy("Acknowledged at"), 17),
    Column(gettext_lazy("Routed at"), 17),
    Column(gettext_lazy("Resolved at"), 17),
    Column(gettext_lazy("Closed at"), 17),
    Column(gettext_lazy("Closure reason"), 10),
    Column(gettext_lazy("Status"), 10),
    Column(gettext_lazy("Satisfaction"), 10),
    Column(gettext_lazy("Contact name (masked)"), 10),
    Column(gettext_lazy("Mobile phone (masked)"), 14),
]


class LocalMinute(Func):
    """A timestamp as local time (TIME_ZONE) text to the minute, `2026-03-05 14:30`, or
    NULL. PostgreSQL formats it with to_char; SQLite cuts Django's own local truncation."""

    output_field = CharField()
    template = "SUBSTR(%(expressions)s, 1, 16)"

    def __init__(self, expression, **extra):
        super().__init__(TruncMinute(expression, tzinfo=timezone.get_current_timezone()), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0].lhs)
        zone = timezone.get_current_timezone_name()
        return f"to_char({column} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI')", (*params, zone)


def masked_phone(field: str):
    """`mask_phone` in SQL: 138****5678; a number of fewer than 7 characters all stars."""
    phone = F(field)
    return Case(
        When(**{field: ""}, then=Value("")),
        When(LessThan(Length(phone), 7), then=Repeat(Value("*"), Length(phone))),
        default=Concat(Left(phone, 3), Repeat(Value("*"), Length(phone) - 7), Right(phone, 4)),
        output_field=CharField(),
    )


def masked_name(field: str):
    """The first character and a star, whatever the name's length: 张*."""
    return Case(
        When(**{field: ""}, then=Value("")),
        default=formula_safe(Concat(Left(F(field), 1), Value("*"))),
        output_field=CharField(),
    )


def labelled(field: str, choices) -> Case:
    """The choice's label in the active language, in SQL (the stored value if unknown)."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=F(field),
        output_field=CharField(),
    )


def _category_name():
    if english_is_active():
        return Coalesce(NullIf(F("category__name_en"), Value("")), F("category__name"))
    return F("category__name")


def export_columns() -> dict:
    """The export's columns as expressions on Appeal, in the order of COLUMNS."""
    latest_visit = ReturnVisit.objects.filter(appeal=OuterRef("pk")).order_by("-created_at", "-pk")
    last_routing = AppealEvent.objects.filter(appeal=OuterRef("pk"), move__in=ROUTE_MOVES).order_by(
        "-created_at", "-pk"
    )
    return {
        "x_code": Concat(Left("code", 4), Value("-"), Right("code", 4), output_field=CharField()),
        "x_estate": formula_safe(F("estate__name")),
        "x_category": formula_safe(_category_name()),
        "x_source": labelled("source", Source.choices),
        "x_created": LocalMinute("created_at"),
        "x_acknowledged": LocalMinute("acknowledged_at"),
        "x_routed": Subquery(
            last_routing.annotate(at=LocalMinute("created_at")).values("at")[:1],
            output_field=CharField(),
        ),
        "x_resolved": LocalMinute("resolved_at"),
        "x_closed": LocalMinute("closed_at"),
        "x_closure": labelled("closure_reason", ClosureReason.choices),
        "x_status": labelled("status", Status.choices),
        "x_satisfaction": Subquery(
            latest_visit.annotate(label=labelled("satisfaction", Satisfaction.choices)).values(
                "label"
            )[:1],
            output_field=CharField(),
        ),
        "x_name": masked_name("contact_name"),
        "x_phone": formula_safe(masked_phone("contact_phone")),
    }


def export_headers() -> list[str]:
    return [str(column.header) for column in COLUMNS]


@dataclass
class AppealsExport:
    """What one export covers: `appeals` (the appeals, to count) and `rows` (the same as
    tuples of text in the order of `headers`, to stream)."""

    appeals: QuerySet
    rows: QuerySet
    headers: list[str]
    widths: list[float]

    def count(self) -> int:
        return self.appeals.count()


def appeals_export(
    *,
    user,
    start_at: datetime,
    end_at: datetime,
    town: int | None = None,
    community: int | None = None,
    estate: int | None = None,
) -> AppealsExport:
    """The appeals of the unit (`town=`, `community=` or `estate=` id, as the roll-up
    readers take it) received from `start_at` up to `end_at` (exclusive), within the user's
    scope (the gate, whatever unit is asked), oldest first."""
    appeals = appeals_for(user).filter(created_at__gte=start_at, created_at__lt=end_at)
    if estate is not None:
        appeals = appeals.filter(estate_id=estate)
    elif community is not None:
        appeals = appeals.filter(estate__community_id=community)
    elif town is not None:
        appeals = appeals.filter(estate__community__town_id=town)
    columns = export_columns()
    rows = appeals.order_by("created_at", "pk").annotate(**columns).values_list(*columns)
    return AppealsExport(
        appeals=appeals,
        rows=rows,
        headers=export_headers(),
        widths=[column.width for column in COLUMNS],
    )
