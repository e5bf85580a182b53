"""Benchmark: a one-community CSV export of the appeals against PostgreSQL's COPY of the same
SELECT (the floor: the database computing and sending the same rows as CSV, nothing more).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python scripts/bench_export.py [--community ID] [--runs 3]

Works on whatever appeals the database has (seed_demo, seed_bulk): by default the community
with the most appeals, over every day it has appeals. Prints the rows, each side's median
time of `--runs` and the ratio (issue 11's target: within 2x of COPY), then the Python
memory the export allocated at its peak in one more run under tracemalloc (which slows that
run, so it is not timed). The export is timed as the view sends it: meetings.exports' query
through the view's server-side cursor (governance.export_views._streamed) and
branches.spreadsheets.csv_chunks, every byte read. Figures, not a test."""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("DEBUG", "true")
# A large export's COPY may outlast a page's statement timeout, as a manage.py command would.
os.environ["DATABASE_STATEMENT_TIMEOUT"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402

from branches.spreadsheets import csv_chunks, xlsx_file  # noqa: E402
from governance.export_views import _streamed  # noqa: E402
from meetings.exports import ROWS_PER_FETCH, appeals_export  # noqa: E402
from meetings.models import Appeal  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--community", type=int, help="community id (default: most appeals)")
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args()


def the_community(asked: int | None) -> tuple[int, int]:
    rows = Appeal.objects.values("estate__community").annotate(n=Count("pk")).order_by("-n")
    if asked is not None:
        rows = rows.filter(estate__community=asked)
    first = rows.first()
    if first is None:
        sys.exit("No appeals in that database (run seed_demo or seed_bulk first).")
    return first["estate__community"], first["n"]


def the_export(community: int):
    span = Appeal.objects.filter(estate__community=community).aggregate(
        start=Min("created_at"), end=Max("created_at")
    )
    superuser = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    return appeals_export(
        user=superuser,
        start_at=span["start"],
        end_at=span["end"] + timedelta(seconds=1),
        community=community,
    )


def time_export(export) -> tuple[float, int, int]:
    """The view's stream, read to the end: seconds, bytes, rows."""
    started = time.perf_counter()
    size = rows = 0
    for chunk in csv_chunks(export.headers, _streamed(export.rows)):
        size += len(chunk)
        rows += chunk.count(b"\n")
    return time.perf_counter() - started, size, rows - 1


def time_copy(export) -> tuple[float, int]:
    """COPY (the same SELECT) TO STDOUT as CSV, read to the end: seconds, bytes."""
    sql, params = export.rows.query.sql_with_params()
    started = time.perf_counter()
    size = 0
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own (a client-side binding cursor, as Django's)
        statement = raw.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)
        with raw.copy(statement) as copy:
            for data in copy:
                size += len(data)
    return time.perf_counter() - started, size


def time_xlsx(export, rows: int) -> float:
    """The XLSX of the export's first `rows` rows, as the view writes it: seconds."""
    started = time.perf_counter()
    with transaction.atomic():
        rows_read = export.rows[:rows].iterator(chunk_size=ROWS_PER_FETCH)
        xlsx_file(export.headers, rows_read, widths=export.widths, title="bench").close()
    return time.perf_counter() - started


def main():
    args = parse_args()
    if connection.vendor != "postgresql":
        sys.exit("COPY is PostgreSQL's: set DATABASE_URL to a PostgreSQL database.")
    community, count = the_community(args.community)
    export = the_export(community)
    print(f"community {community}: {count:,} appeals; {args.runs} runs each, medians")
    time_copy(export)  # warm the cache: both sides then read the same pages from memory
    copies, exports = [], []
    for _ in range(args.runs):
        copies.append(time_copy(export))
        exports.append(time_export(export))
    copy_s = statistics.median(t for t, _ in copies)
    export_s = statistics.median(t for t, _, _ in exports)
    _, export_bytes, rows = exports[0]
    print(f"  COPY (same SELECT) TO STDOUT   {copy_s:8.3f} s  {copies[0][1]:>13,} bytes")
    print(f"  CSV export (view's stream)     {export_s:8.3f} s  {export_bytes:>13,} bytes")
    print(f"  rows {rows:,}; export / COPY = {export_s / copy_s:.2f}x")
    cap = settings.DASHBOARD_XLSX_MAX_ROWS
    rows_xlsx = min(rows, cap)
    xlsx_s = time_xlsx(export, rows_xlsx)
    print(f"  XLSX of {rows_xlsx:,} rows (the cap: {cap:,})   {xlsx_s:8.3f} s")
    tracemalloc.start()
    time_export(export)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  Python memory allocated at the export's peak: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
