"""The measuring helpers of `make bench`: a request's or a function's median time, its
queries, their floor (what PostgreSQL itself spends on the same SQL) and its peak memory.

Needs Django set up (bench/measure.py does that); the table (bench/table.py) does not.
Each figure comes from its own runs, so one kind of instrument does not slow another's
timing: the timed runs with no query log, one run under CaptureQueriesContext for the
queries, one under tracemalloc for the memory."""

import re
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

# Statements the floor re-runs: reads and writes. Savepoints, SET, DECLARE and the like are
# the driver's bookkeeping, not work the database does for the page.
REPLAYED = re.compile(r"^\s*\(?\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# A sequential scan reading at least this many rows is reported (the "no unindexed filter"
# target); smaller tables are scanned faster than through an index.
BIG_SCAN_ROWS = 10_000


def median(values: Iterable[float]) -> float:
    values = list(values)
    if not values:
        raise ValueError("median of nothing")
    return statistics.median(values)


def time_runs(action: Callable[[], object], *, runs: int, warm_up: int = 1) -> list[float]:
    """Seconds of each of `runs` calls, after `warm_up` untimed ones (caches, connections)."""
    for _ in range(warm_up):
        action()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return seconds


def captured_sql(action: Callable[[], object]) -> tuple[list[str], float]:
    """The statements one call ran (as sent, parameters in) and the seconds Django saw them
    take: the SQL time inside the request, round trips and fetching included."""
    with CaptureQueriesContext(connection) as captured:
        action()
    queries = captured.captured_queries
    return [q["sql"] for q in queries], sum(float(q["time"]) for q in queries)


def peak_mb(action: Callable[[], object]) -> float:
    """The most Python memory allocated at once during one call (tracemalloc), in MB."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        action()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


@dataclass
class Floor:
    """PostgreSQL's own time for a list of statements (median of the re-runs), how many were
    re-run, and the big sequential scans their plans did ({table: rows read})."""

    seconds: float
    replayed: int
    big_scans: dict[str, int] = field(default_factory=dict)


def _walk(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _walk(child)


def big_seq_scans(plan: dict, *, at_least: int = BIG_SCAN_ROWS) -> dict[str, int]:
    """Tables an EXPLAIN (ANALYZE, FORMAT JSON) plan read sequentially, with the rows read
    (kept and filtered out, over all loops and workers), when at least `at_least`."""
    scans: dict[str, int] = {}
    for node in _walk(plan):
        if node.get("Node Type") != "Seq Scan":
            continue
        loops = node.get("Actual Loops", 1) or 1
        read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
        table = node.get("Relation Name", "?")
        scans[table] = scans.get(table, 0) + int(read)
    return {table: rows for table, rows in scans.items() if rows >= at_least}


def floor(statements: list[str], *, runs: int = 3) -> Floor:
    """Re-run the statements in order, in one transaction rolled back at the end (so writes
    are done and undone), `runs` times; the median of their summed time in the database.
    PostgreSQL: EXPLAIN (ANALYZE, TIMING OFF) each, planning and execution time as the
    server reports them (no network, no fetching by the client; no clock read per row,
    which would slow a plan of many rows more than the page). Elsewhere (SQLite): plain
    execution with every row fetched, timed here. A statement that fails on re-run (its
    data moved since) is left out of the sum and not counted as replayed."""
    statements = [sql for sql in statements if REPLAYED.match(sql)]
    postgres = connection.vendor == "postgresql"
    totals, replayed, scans = [], 0, {}
    for _ in range(runs):
        total, replayed, scans = 0.0, 0, {}
        with transaction.atomic():
            for sql in statements:
                try:
                    with transaction.atomic(), connection.cursor() as cursor:
                        if postgres:
                            cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
                            (result,) = cursor.fetchone()
                            explained = result[0]
                            total += (
                                explained.get("Planning Time", 0.0)
                                + explained.get("Execution Time", 0.0)
                            ) / 1000
                            for table, rows in big_seq_scans(explained["Plan"]).items():
                                scans[table] = scans.get(table, 0) + rows
                        else:
                            start = time.perf_counter()
                            cursor.execute(sql)
                            if cursor.description is not None:
                                cursor.fetchall()
                            total += time.perf_counter() - start
                except Exception:  # noqa: BLE001 - a statement that no longer applies
                    continue
                replayed += 1
            transaction.set_rollback(True)
        totals.append(total)
    return Floor(seconds=median(totals) if totals else 0.0, replayed=replayed, big_scans=scans)


@dataclass
class Measured:
    """One line of the table for one database size. Times in milliseconds."""

    name: str
    server_ms: float
    floor_ms: float | None = None
    sql_ms: float | None = None  # the SQL time Django saw inside the request
    queries: int | None = None
    peak_mb: float | None = None
    runs: int = 0
    note: str = ""
    big_scans: dict[str, int] = field(default_factory=dict)
    error: str = ""


def measure(
    name: str,
    action: Callable[[], object],
    *,
    runs: int,
    floor_runs: int = 3,
    floor_of: Callable[[list[str]], Floor] | None = None,
    note: str = "",
) -> Measured:
    """Everything the table says about one action: the median of `runs` timed calls after a
    warm-up, then one call whose queries are captured (their count, their time in the
    request, their floor: `floor_of(statements)` or `floor`), then one under tracemalloc.
    A failure becomes the line's error instead of stopping the run."""
    try:
        seconds = time_runs(action, runs=runs)
        statements, sql_seconds = captured_sql(action)
        measured_floor = (floor_of or (lambda s: floor(s, runs=floor_runs)))(statements)
        peak = peak_mb(action)
    except Exception as error:  # noqa: BLE001 - reported in the table
        return Measured(name=name, server_ms=float("nan"), error=f"{type(error).__name__}: {error}")
    return Measured(
        name=name,
        server_ms=median(seconds) * 1000,
        floor_ms=measured_floor.seconds * 1000,
        sql_ms=sql_seconds * 1000,
        queries=len(statements),
        peak_mb=peak,
        runs=runs,
        note=note,
        big_scans=measured_floor.big_scans,
    )
