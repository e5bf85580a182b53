"""The daily roll-ups behind the committee's figures: what each count means, how the moving
services keep it (in the move's transaction), and how `manage.py rollups` rebuilds and
verifies it.

A day is the local date (settings.TIME_ZONE) of the time a thing happened, so a backdated
move (`at=`) lands on its own day. Estate, category and source are the appeal's (no service
changes them; a service that does must move the appeal's counts from the old key to the new
one in its transaction).

`AppealDay` (day, estate, category, source):
- received: appeals created that day (cohort: every column below up to `repeat` is keyed by
  the day the appeal was received, whenever its acknowledgement came);
- acknowledged: of those, acknowledged at all; acknowledged_in_time: acknowledged at or
  before `response_due_at` (set on submission, never extended);
- repeat: of those, a repeat of an earlier appeal (`repeat_of` set by appeal_submit);
- flows, each a count of events that day: declined (the moves closing as declined: declined
  at a meeting or by the secretary, or rejected by a hearing), closed_duplicate, withdrawn,
  closed_solved, closed_unreachable, closed (every closing move), reopened, resolved,
  referred (every move into `referred`: an appeal referred to a second department counts
  again), extended (due-date extensions) — `FLOWS` below is the one list.

`VisitDay` (day, estate, category, source): return visits recorded that day: visits,
reached, not_reached, solved (reached and solved), satisfaction_answered, satisfied,
basically_satisfied, dissatisfied, on_time (recorded at or before the return-visit due date
in force then: the `due_at` of the appeal's latest event that set `return_visit_due_at` —
the fix that started it, or an extension).

`StatusDay` (day, estate, from_status, to_status, move, meeting_type): one per submission
("" → received, move "submitted"), per move that changes the status, and per hearing vote
without quorum (hearing → hearing, move "hearing_vote"); meeting_type is the type of the
meeting the event names, "" without one. These are events, not distinct appeals: an appeal
heard twice counts twice.

`StatusDuration` (day, estate, status, days): per move that changes the status, the status
it left, and the local calendar days between entering it and leaving it (0 = the same day;
never below 0). It was entered by the appeal's previous status event (submitted or moved)
in the order they were recorded (by id).

The rebuild's SQL (`_recount_*`) is the definition; the live path (`count_event`,
`count_visit`) adds the same counts one event at a time, with one UPSERT per table it
touches (`INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n`), so two moves at once
add up instead of overwriting each other. The tests check the two agree after every move.

The month level (`MONTHS`): each month table is its daily table summed over the local month
(named by its first day) and folded to a coarser key: `AppealMonth` and `VisitMonth` per
estate (the places' figures and the trend), `CategoryMonth` (community, category, source),
`StatusMonth` (community and the status change) and `StatusDurationMonth` (community,
status, days: a histogram, so its medians are exact). The community is the estate's; an
estate with appeals cannot move to another community (a database rule, migration 0018),
as its past months would stay with the old one. The live path adds each daily row's counts
to its month rows in the same statement batch of the same transaction; the rebuild folds
the month tables from the rebuilt daily ones, and the verification folds them from the
daily recount, so both say "month = the sum of its days = a recount of the facts". The
reads (meetings.queries) take whole months inside a period from the month tables and its
partial months from the daily ones, in one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from branches.models import Estate

from .models import (
    Appeal,
    AppealDay,
    AppealEvent,
    AppealMonth,
    CategoryMonth,
    ClosureReason,
    DueField,
    EventKind,
    ReturnVisit,
    Satisfaction,
    Status,
    StatusDay,
    StatusDuration,
    StatusDurationMonth,
    StatusMonth,
    VisitDay,
    VisitMonth,
)
from .moves import MOVES


def _moves(*, target=None, closure=None) -> tuple[str, ...]:
    return tuple(
        sorted(
            name
            for name, move in MOVES.items()
            if (target is None or move.target == target)
            and (closure is None or move.closure == closure)
        )
    )


# AppealDay's flow columns: the event kind and, for moves, which moves count.
FLOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    "declined": (EventKind.MOVED, _moves(closure=ClosureReason.DECLINED)),
    "closed_duplicate": (EventKind.MOVED, _moves(closure=ClosureReason.DUPLICATE)),
    "withdrawn": (EventKind.MOVED, _moves(closure=ClosureReason.WITHDRAWN)),
    "closed_solved": (EventKind.MOVED, _moves(closure=ClosureReason.SOLVED)),
    "closed_unreachable": (EventKind.MOVED, _moves(closure=ClosureReason.UNREACHABLE)),
    "closed": (EventKind.MOVED, _moves(target=Status.CLOSED)),
    "reopened": (EventKind.MOVED, _moves(target=Status.REOPENED)),
    "resolved": (EventKind.MOVED, _moves(target=Status.RESOLVED)),
    "referred": (EventKind.MOVED, _moves(target=Status.REFERRED)),
    "extended": (EventKind.DUE_EXTENDED, ()),
}
COHORT = ("received", "acknowledged", "acknowledged_in_time", "repeat")
VISIT_COLUMNS = (
    "visits",
    "reached",
    "not_reached",
    "solved",
    "satisfaction_answered",
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "on_time",
)
# The events that are a status change (or a hearing's decision) for StatusDay.
STATUS_KINDS = (EventKind.SUBMITTED, EventKind.MOVED, EventKind.HEARING_VOTE)
# The events that put an appeal into a status (StatusDuration's "entered").
ENTERING_KINDS = (EventKind.SUBMITTED, EventKind.MOVED)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


# --- Live: the moving services call these in their transaction ----------------------------


def _flows_of(kind: str, move: str) -> list[str]:
    return [
        column
        for column, (flow_kind, moves) in FLOWS.items()
        if kind == flow_kind and (not moves or move in moves)
    ]


def _community_of(appeal: Appeal) -> int:
    """The appeal's community (the month tables' place): its estate, read once per appeal
    object (Django keeps it on the appeal) when the caller has not."""
    return appeal.estate.community_id


def count_event(event: AppealEvent, appeal: Appeal) -> None:
    """Add what `event` (just written, in the caller's transaction) counts for."""
    day = local_day(event.created_at)
    community = _community_of(appeal)
    estate, category, source = appeal.estate_id, appeal.category_id, appeal.source
    appeal_rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    if event.kind == EventKind.SUBMITTED:
        appeal_rows[(day, estate, category, source)].update(
            received=1, repeat=int(appeal.repeat_of_id is not None)
        )
    elif event.kind == EventKind.ACKNOWLEDGED:
        in_time = appeal.response_due_at is not None and event.created_at <= appeal.response_due_at
        cohort = (local_day(appeal.created_at), estate, category, source)
        appeal_rows[cohort].update(acknowledged=1, acknowledged_in_time=int(in_time))
    for column in _flows_of(event.kind, event.move):
        appeal_rows[(day, estate, category, source)][column] = 1
    if appeal_rows:
        _add(AppealDay, appeal_rows, community)

    if event.kind in STATUS_KINDS:
        meeting_type = event.meeting.type if event.meeting_id else ""
        key = (day, estate, event.from_status, event.to_status, event.move or event.kind)
        _add(StatusDay, {(*key, meeting_type): {"n": 1}}, community)
    if event.kind == EventKind.MOVED:
        entered = (
            AppealEvent.objects.filter(
                appeal_id=appeal.pk, kind__in=ENTERING_KINDS, pk__lt=event.pk
            )
            .order_by("-pk")
            .values_list("created_at", flat=True)
            .first()
        )
        if entered is not None:
            days = max(0, (day - local_day(entered)).days)
            key = (day, estate, event.from_status, days)
            _add(StatusDuration, {key: {"n": 1}}, community)


def count_visit(visit: ReturnVisit, appeal: Appeal, *, due: datetime | None) -> None:
    """Add a return visit (just written); `due` is the return-visit due date in force, read
    from the appeal's locked row."""
    reached = bool(visit.reached)
    counts = {
        "visits": 1,
        "reached": int(reached),
        "not_reached": int(not reached),
        "solved": int(reached and bool(visit.solved)),
        "satisfaction_answered": int(visit.satisfaction != ""),
        "satisfied": int(visit.satisfaction == Satisfaction.SATISFIED),
        "basically_satisfied": int(visit.satisfaction == Satisfaction.BASICALLY),
        "dissatisfied": int(visit.satisfaction == Satisfaction.DISSATISFIED),
        "on_time": int(due is not None and visit.created_at <= due),
    }
    key = (local_day(visit.created_at), appeal.estate_id, appeal.category_id, appeal.source)
    _add(VisitDay, {key: counts}, _community_of(appeal))


def _add(model, rows: dict[tuple, dict[str, int]], community: int) -> None:
    """Add daily rows (keyed as `model`'s table) to it and to each month table folded from
    it: one UPSERT per table."""
    _upsert(model, rows)
    daily = TABLES[model].key_columns
    for month in MONTHS.values():
        if month.daily is not model:
            continue
        folded: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for key, counts in rows.items():
            named = dict(zip(daily, key, strict=True))
            place = community if month.place == "community_id" else named["estate_id"]
            month_key = (named["day"].replace(day=1), place, *(named[k] for k in month.kept))
            for column, n in counts.items():
                folded[month_key][column] += n
        _upsert(month.model, folded)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _upsert(model, rows: dict[tuple, dict[str, int]]) -> None:
    """One statement: add each row's counts to the row of its key, creating it if need be."""
    table = TABLES.get(model) or MONTHS[model]
    columns = sorted({c for counts in rows.values() for c in counts})
    names = [*table.key_columns, *columns]
    placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
    params = []
    # In key order: two moves that add to the same rows lock them in the same order.
    for key, counts in sorted(rows.items()):
        day, *rest = key
        params += [connection.ops.adapt_datefield_value(day), *rest]
        params += [counts.get(c, 0) for c in columns]
    t = _q(model._meta.db_table)
    sql = (
        f"INSERT INTO {t} ({', '.join(map(_q, names))}) "
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({', '.join(map(_q, table.key_columns))}) DO UPDATE SET "
        + ", ".join(f"{_q(c)} = {t}.{_q(c)} + excluded.{_q(c)}" for c in columns)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- The definition: a recount of each table from the facts --------------------------------


def _local_date(sql: str) -> tuple[str, tuple]:
    return connection.ops.datetime_cast_date_sql(sql, (), settings.TIME_ZONE)


def _days_between(earlier: str, later: str) -> str:
    """Whole days from one date expression to a later one (an integer)."""
    if connection.vendor == "postgresql":
        diff = f"({later} - {earlier})"
    else:
        diff = f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"CASE WHEN {diff} < 0 THEN 0 ELSE {diff} END"


def _in(values) -> tuple[str, list]:
    values = list(values)
    return "(" + ", ".join(["%s"] * len(values)) + ")", values


def _recount_appeal_day() -> tuple[str, list]:
    created, created_p = _local_date("a.created_at")
    happened, happened_p = _local_date("e.created_at")
    zeros_flow = ", ".join(f"0 AS {_q(c)}" for c in FLOWS)
    zeros_cohort = ", ".join(f"0 AS {_q(c)}" for c in COHORT)
    flow_cases, flow_p = [], []
    for column, (kind, moves) in FLOWS.items():
        if moves:
            in_sql, in_p = _in(moves)
            flow_cases.append(
                f"CASE WHEN e.kind = %s AND e.move IN {in_sql} THEN 1 ELSE 0 END AS {_q(column)}"
            )
            flow_p += [kind, *in_p]
        else:
            flow_cases.append(f"CASE WHEN e.kind = %s THEN 1 ELSE 0 END AS {_q(column)}")
            flow_p.append(kind)
    counted_moves, counted_p = _in(sorted({m for _k, moves in FLOWS.values() for m in moves}))
    flow_kinds = sorted({k for k, moves in FLOWS.values() if not moves})
    kinds_sql, kinds_p = _in(flow_kinds)
    columns = [*COHORT, *FLOWS]
    sql = f"""
        SELECT day, estate_id, category_id, source,
               {", ".join(f"SUM({_q(c)}) AS {_q(c)}" for c in columns)}
        FROM (
            SELECT {created} AS day, a.estate_id, a.category_id, a.source,
                   1 AS {_q("received")},
                   CASE WHEN a.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END
                       AS {_q("acknowledged")},
                   CASE WHEN a.acknowledged_at <= a.response_due_at THEN 1 ELSE 0 END
                       AS {_q("acknowledged_in_time")},
                   CASE WHEN a.repeat_of_id IS NOT NULL THEN 1 ELSE 0 END AS {_q("repeat")},
                   {zeros_flow}
            FROM {_q(Appeal._meta.db_table)} a
            UNION ALL
            SELECT {happened} AS day, a.estate_id, a.category_id, a.source,
                   {zeros_cohort}, {", ".join(flow_cases)}
            FROM {_q(AppealEvent._meta.db_table)} e
            JOIN {_q(Appeal._meta.db_table)} a ON a.id = e.appeal_id
            WHERE (e.kind = %s AND e.move IN {counted_moves}) OR e.kind IN {kinds_sql}
        ) facts
        GROUP BY day, estate_id, category_id, source
    """
    params = [*created_p, *happened_p, *flow_p, EventKind.MOVED, *counted_p, *kinds_p]
    return sql, params


def _recount_visit_day() -> tuple[str, list]:
    visited, visited_p = _local_date("v.created_at")
    e, a, v = (_q(m._meta.db_table) for m in (AppealEvent, Appeal, ReturnVisit))
    sql = f"""
        SELECT day, estate_id, category_id, source, COUNT(*) AS visits,
               {", ".join(f"SUM({_q(c)}) AS {_q(c)}" for c in VISIT_COLUMNS[1:])}
        FROM (
            SELECT {visited} AS day, a.estate_id, a.category_id, a.source,
                   CASE WHEN v.reached THEN 1 ELSE 0 END AS reached,
                   CASE WHEN v.reached THEN 0 ELSE 1 END AS not_reached,
                   CASE WHEN v.reached AND v.solved THEN 1 ELSE 0 END AS solved,
                   CASE WHEN v.satisfaction <> '' THEN 1 ELSE 0 END AS satisfaction_answered,
                   CASE WHEN v.satisfaction = %s THEN 1 ELSE 0 END AS satisfied,
                   CASE WHEN v.satisfaction = %s THEN 1 ELSE 0 END AS basically_satisfied,
                   CASE WHEN v.satisfaction = %s THEN 1 ELSE 0 END AS dissatisfied,
                   CASE WHEN v.created_at <= (
                       SELECT due.due_at FROM {e} due
                       WHERE due.appeal_id = v.appeal_id AND due.due_field = %s
                         AND due.created_at <= v.created_at
                       ORDER BY due.created_at DESC, due.id DESC LIMIT 1
                   ) THEN 1 ELSE 0 END AS on_time
            FROM {v} v JOIN {a} a ON a.id = v.appeal_id
        ) facts
        GROUP BY day, estate_id, category_id, source
    """
    params = [
        *visited_p,
        Satisfaction.SATISFIED,
        Satisfaction.BASICALLY,
        Satisfaction.DISSATISFIED,
        DueField.RETURN_VISIT,
    ]
    return sql, params


def _recount_status_day() -> tuple[str, list]:
    happened, happened_p = _local_date("e.created_at")
    kinds_sql, kinds_p = _in(STATUS_KINDS)
    sql = f"""
        SELECT day, estate_id, from_status, to_status, move, meeting_type, COUNT(*) AS n
        FROM (
            SELECT {happened} AS day, a.estate_id, e.from_status, e.to_status,
                   CASE WHEN e.move = '' THEN e.kind ELSE e.move END AS move,
                   COALESCE(m.type, '') AS meeting_type
            FROM {_q(AppealEvent._meta.db_table)} e
            JOIN {_q(Appeal._meta.db_table)} a ON a.id = e.appeal_id
            LEFT JOIN {_q("meetings_meeting")} m ON m.id = e.meeting_id
            WHERE e.kind IN {kinds_sql}
        ) facts
        GROUP BY day, estate_id, from_status, to_status, move, meeting_type
    """
    return sql, [*happened_p, *kinds_p]


def _recount_status_duration() -> tuple[str, list]:
    left, left_p = _local_date("e.created_at")
    entered, entered_p = _local_date("e.entered_at")
    kinds_sql, kinds_p = _in(ENTERING_KINDS)
    sql = f"""
        SELECT day, estate_id, status, days, COUNT(*) AS n
        FROM (
            SELECT day, estate_id, status, {_days_between("entered_day", "day")} AS days
            FROM (
                SELECT {left} AS day, {entered} AS entered_day, a.estate_id,
                       e.from_status AS status
                FROM (
                    SELECT appeal_id, kind, from_status, created_at,
                           LAG(created_at) OVER (PARTITION BY appeal_id ORDER BY id)
                               AS entered_at
                    FROM {_q(AppealEvent._meta.db_table)}
                    WHERE kind IN {kinds_sql}
                ) e
                JOIN {_q(Appeal._meta.db_table)} a ON a.id = e.appeal_id
                WHERE e.kind = %s AND e.entered_at IS NOT NULL
            ) moves
        ) facts
        GROUP BY day, estate_id, status, days
    """
    return sql, [*left_p, *entered_p, *kinds_p, EventKind.MOVED]


@dataclass(frozen=True)
class Table:
    model: type
    key_columns: tuple[str, ...]
    value_columns: tuple[str, ...]
    recount: object  # () -> (sql, params)

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key_columns, *self.value_columns)


TABLES: dict[type, Table] = {
    AppealDay: Table(
        AppealDay,
        ("day", "estate_id", "category_id", "source"),
        (*COHORT, *FLOWS),
        _recount_appeal_day,
    ),
    VisitDay: Table(
        VisitDay, ("day", "estate_id", "category_id", "source"), VISIT_COLUMNS, _recount_visit_day
    ),
    StatusDay: Table(
        StatusDay,
        ("day", "estate_id", "from_status", "to_status", "move", "meeting_type"),
        ("n",),
        _recount_status_day,
    ),
    StatusDuration: Table(
        StatusDuration, ("day", "estate_id", "status", "days"), ("n",), _recount_status_duration
    ),
}


@dataclass(frozen=True)
class Month:
    """A month table: `daily`'s rows summed per local month and `place` (the estate's id, or
    its community's), keeping the daily key's columns `kept`."""

    model: type
    daily: type
    place: str  # "estate_id" or "community_id"
    kept: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def key_columns(self) -> tuple[str, ...]:
        return ("month", self.place, *self.kept)

    @property
    def value_columns(self) -> tuple[str, ...]:
        return TABLES[self.daily].value_columns

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.key_columns, *self.value_columns)

    def fold(self, source: str) -> str:
        """SQL: the rows of this table, summed from `source` (a relation with the daily
        table's columns: the table itself, or a recount of it)."""
        if connection.vendor == "postgresql":
            month = "CAST(DATE_TRUNC('month', d.day) AS date)"
        else:
            month = "date(d.day, 'start of month')"
        join, place = "", "d.estate_id"
        if self.place == "community_id":
            join = f"JOIN {_q(Estate._meta.db_table)} e ON e.id = d.estate_id"
            place = "e.community_id"
        groups = [month, place, *(f"d.{_q(c)}" for c in self.kept)]
        named = ", ".join(f"{g} AS {_q(c)}" for g, c in zip(groups, self.key_columns, strict=True))
        sums = ", ".join(f"SUM(d.{_q(c)}) AS {_q(c)}" for c in self.value_columns)
        return f"SELECT {named}, {sums} FROM {source} d {join} GROUP BY {', '.join(groups)}"


MONTHS: dict[type, Month] = {
    AppealMonth: Month(AppealMonth, AppealDay, "estate_id", ()),
    VisitMonth: Month(VisitMonth, VisitDay, "estate_id", ()),
    CategoryMonth: Month(CategoryMonth, AppealDay, "community_id", ("category_id", "source")),
    StatusMonth: Month(
        StatusMonth,
        StatusDay,
        "community_id",
        ("from_status", "to_status", "move", "meeting_type"),
    ),
    StatusDurationMonth: Month(
        StatusDurationMonth, StatusDuration, "community_id", ("status", "days")
    ),
}


def rollup_columns(model) -> tuple[str, ...]:
    """The count columns of a roll-up table, daily or monthly (its reads sum these)."""
    return (TABLES.get(model) or MONTHS[model]).value_columns


# --- Rebuild and verify ----------------------------------------------------------------


def rollups_rebuild() -> dict[str, int]:
    """Recompute every roll-up from appeals, events and return visits, in one transaction:
    empty the tables (on PostgreSQL TRUNCATE, whose lock makes a move made meanwhile wait
    for the rebuild and then add to it), then one INSERT … SELECT per daily table and one
    per month table (folded from the daily one just written). Returns the rows written per
    table."""
    written = {}
    with transaction.atomic(), connection.cursor() as cursor:
        _empty(cursor, [*TABLES.values(), *MONTHS.values()])
        for table in TABLES.values():
            sql, params = table.recount()
            cursor.execute(
                f"INSERT INTO {_q(table.name)} ({', '.join(map(_q, table.columns))}) {sql}",
                params,
            )
            written[table.name] = cursor.rowcount
        written.update(_fold_months(cursor))
    return written


def rollups_fold_months() -> dict[str, int]:
    """Refill the month tables from the daily ones as they stand (for data whose daily
    rows were written straight, as the dashboard's benchmark does). Rows per table."""
    with transaction.atomic(), connection.cursor() as cursor:
        _empty(cursor, list(MONTHS.values()))
        return _fold_months(cursor)


def _empty(cursor, tables) -> None:
    if connection.vendor == "postgresql":
        # TRUNCATE refuses while deferred foreign-key checks are pending (a caller's
        # transaction that wrote rows first, as seed_bulk's may): run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(_q(t.name) for t in tables)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        for table in tables:
            cursor.execute(f"DELETE FROM {_q(table.name)}")


def _fold_months(cursor) -> dict[str, int]:
    written = {}
    for month in MONTHS.values():
        source = _q(TABLES[month.daily].name)
        # In key order (month first): a period's rows lie together, as the benchmark found
        # them to matter (a town's year of durations read 13,000 pages when scattered).
        cursor.execute(
            f"INSERT INTO {_q(month.name)} ({', '.join(map(_q, month.columns))}) "
            f"{month.fold(source)} ORDER BY {', '.join(map(_q, month.key_columns))}"
        )
        written[month.name] = cursor.rowcount
    return written


@dataclass(frozen=True)
class Difference:
    table: str
    key: dict
    column: str
    stored: int
    recount: int

    def __str__(self):
        key = ", ".join(f"{k}={v}" for k, v in self.key.items())
        return f"{self.table} ({key}) {self.column}: stored {self.stored}, recount {self.recount}"


def rollups_verify() -> list[Difference]:
    """Recount every daily table into a temporary table and compare it with the stored
    one, and fold each month table from that recount and compare it with the stored one:
    the differences, each a (table, key, column, stored, recount); none when they agree.
    Only the rows that differ come back from the database (EXCEPT both ways)."""
    differences = []
    # One snapshot for the recount and the tables (unless the caller's transaction decides).
    one_snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    recounts = {model: f"rollup_recount_{table.name}" for model, table in TABLES.items()}
    with transaction.atomic(), connection.cursor() as cursor:
        if one_snapshot:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model, table in TABLES.items():
            sql, params = table.recount()
            cursor.execute(f"DROP TABLE IF EXISTS {recounts[model]}")
            cursor.execute(f"CREATE TEMPORARY TABLE {recounts[model]} AS {sql}", params)
            cols = ", ".join(map(_q, table.columns))
            differences += _compare(cursor, table, f"SELECT {cols} FROM {recounts[model]}")
        for month in MONTHS.values():
            differences += _compare(cursor, month, month.fold(recounts[month.daily]))
        for name in recounts.values():
            cursor.execute(f"DROP TABLE {name}")
    return differences


def _compare(cursor, table, recount: str) -> list[Difference]:
    """The differences between `table` and the rows of the `recount` query (its columns in
    the table's order)."""
    cols = ", ".join(map(_q, table.columns))
    stored_sql = f"SELECT {cols} FROM {_q(table.name)}"
    recount_sql = f"SELECT {cols} FROM ({recount}) recount"
    sides = {}
    for side, first, second in (
        ("stored", stored_sql, recount_sql),
        ("recount", recount_sql, stored_sql),
    ):
        cursor.execute(f"{first} EXCEPT {second}")
        sides[side] = {
            tuple(str(v) for v in row[: len(table.key_columns)]): row for row in cursor.fetchall()
        }
    width = len(table.key_columns)
    differences = []
    for key in sorted(set(sides["stored"]) | set(sides["recount"])):
        named = dict(zip(table.key_columns, key, strict=True))
        stored = sides["stored"].get(key)
        recount = sides["recount"].get(key)
        for i, column in enumerate(table.value_columns, start=width):
            s = int(stored[i]) if stored else 0
            r = int(recount[i]) if recount else 0
            if s != r:
                differences.append(Difference(table.name, named, column, s, r))
    return differences
