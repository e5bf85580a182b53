"""Benchmark: /dashboard/ at the size of a real town, from its daily roll-ups.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dashboard_bench_1m \\
        .venv/bin/python scripts/bench_dashboard.py 1000000

The dashboard reads the roll-up tables (meetings/rollup_models.py), never the appeals, so
this fills those tables straight with SQL (once per database; reused by later runs) for a
town of 20 communities and 200 estates over five years with the roll-up rows of about N
appeals (at a million, about three (category, source) rows a day per estate; visits, status
changes and durations in proportion), and the month roll-ups summed from those
(`rollups_fold_months`: also on a database filled before they existed). Run it in one
database per size (10000 and 1000000), as a deployment holds one town. Its appeals table
stays empty, so "overdue now" (an indexed count on the appeals) costs nothing here; `make
bench` (bench/) with seed_bulk measures that one. Prints, for each page, the median of 5
runs after a warm-up: the server time, the time PostgreSQL spent in the page's queries, and
their number. Figures, not a test."""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["DATABASE_STATEMENT_TIMEOUT"] = "0"  # filling the tables outlasts a page's

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from branches.models import Community, Estate, StaffRole, StaffScope, Town  # noqa: E402
from meetings.models import AppealCategory, AppealMonth  # noqa: E402
from meetings.rollups import MONTHS, rollups_fold_months  # noqa: E402

TOWN = "仪表盘基准镇"
FULL = 1_000_000  # the appeals of the full density
COMMUNITIES, ESTATES = 20, 200
FIRST, LAST = date(2021, 1, 1), date(2025, 12, 31)
RUNS = 5


def _fill(town: Town, density: float) -> None:
    """Roll-up rows for the town's estates: each day and estate, up to three (category,
    source) rows of one or two appeals, each kept with a probability that gives about
    `density` × 1,000,000 appeals over the five years."""
    categories = list(AppealCategory.objects.values_list("pk", flat=True))
    ids = list(Estate.objects.filter(community__town=town).values_list("pk", flat=True))
    params = {
        "ids": ids,
        "cats": categories,
        "first": FIRST,
        "last": LAST,
        "density": density,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO meetings_appealday (day, estate_id, category_id, source, received,
                acknowledged, acknowledged_in_time, repeat, declined, closed_duplicate,
                withdrawn, closed_solved, closed_unreachable, closed, reopened, resolved,
                referred, extended)
            SELECT d::date, e, (%(cats)s::int[])[1 + (e + k + extract(doy FROM d)::int)
                       %% array_length(%(cats)s::int[], 1)],
                   (ARRAY['web_form', 'phone', 'home_visit'])[1 + k],
                   n, n, n - (n > 1)::int, (n > 2)::int, (random() < 0.03)::int, 0,
                   (random() < 0.01)::int, n - 1, 0, n, (random() < 0.05)::int, n,
                   (random() < 0.2)::int, 0
            FROM unnest(%(ids)s::int[]) e,
                 generate_series(%(first)s::date, %(last)s::date, '1 day') d,
                 generate_series(0, 2) k,
                 -- naming e and k makes it run per row (else once for all)
                 LATERAL (SELECT 1 + floor(random() * 2)::int + 0 * e + 0 * k AS n) counts
            WHERE random() < %(density)s * 0.6
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO meetings_visitday (day, estate_id, category_id, source, visits,
                reached, not_reached, solved, satisfaction_answered, satisfied,
                basically_satisfied, dissatisfied, on_time)
            SELECT day, estate_id, category_id, source, received, received, 0,
                   received - (random() < 0.1)::int, received, received - 1, 1,
                   0, received - (random() < 0.2)::int
            FROM meetings_appealday
            WHERE estate_id = ANY(%(ids)s) AND received > 0 AND random() < 0.7
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO meetings_statusday (day, estate_id, from_status, to_status, move,
                meeting_type, n)
            SELECT day, estate_id, f, t, m, mt, SUM(received)
            FROM meetings_appealday,
                 (VALUES ('', 'received', 'submitted', ''),
                         ('received', 'in_progress', 'route_handle', 'party_masses'),
                         ('in_progress', 'resolved', 'report_fix', ''),
                         ('resolved', 'closed', 'visit_solved', '')) steps(f, t, m, mt)
            WHERE estate_id = ANY(%(ids)s)
            GROUP BY day, estate_id, f, t, m, mt
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO meetings_statusduration (day, estate_id, status, days, n)
            SELECT day, estate_id, s, days, COUNT(*)
            FROM (
                SELECT day, estate_id, s, (random() * 20)::int AS days
                FROM meetings_appealday,
                     unnest(ARRAY['received', 'in_progress', 'resolved']) s
                WHERE estate_id = ANY(%(ids)s)
            ) durations
            GROUP BY day, estate_id, s, days
            """,
            params,
        )
        cursor.execute(
            "SELECT COALESCE(SUM(received), 0) FROM meetings_appealday WHERE estate_id = ANY(%s)",
            [ids],
        )
        print(f"{town.name}: the roll-ups of {cursor.fetchone()[0]:,} appeals")


def build(appeals: int) -> Town:
    town = Town.objects.filter(name=TOWN).first()
    if town is None:
        with transaction.atomic():
            town = Town.objects.create(name=TOWN, county="基准县")
            communities = Community.objects.bulk_create(
                Community(town=town, name=f"基准第{c + 1}社区") for c in range(COMMUNITIES)
            )
            Estate.objects.bulk_create(
                Estate(community=communities[e % COMMUNITIES], name=f"基准小区{e + 1}")
                for e in range(ESTATES)
            )
            _fill(town, min(1.0, appeals / FULL))
        with connection.cursor() as cursor:
            # Live, the services add each day's rows on that day: the tables lie in day
            # order, as their keys (day first) do. Then what autovacuum would have done.
            for table in ("appealday", "visitday", "statusday", "statusduration"):
                cursor.execute(f"CLUSTER meetings_{table} USING {table}_key")
            cursor.execute("VACUUM ANALYZE")
    if not AppealMonth.objects.exists():
        written = rollups_fold_months()
        print(f"month roll-ups summed from the daily ones: {sum(written.values()):,} rows")
        with connection.cursor() as cursor:
            for month in MONTHS.values():  # in month order, as live inserts leave them
                key = next(c.name for c in month.model._meta.constraints if hasattr(c, "fields"))
                cursor.execute(f"CLUSTER {month.name} USING {key}")
                cursor.execute(f"VACUUM ANALYZE {month.name}")
    return town


def _user(town: Town):
    from django.contrib.auth import get_user_model

    username = f"bench-dashboard-{town.pk}"
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    StaffScope.objects.get_or_create(
        user=user, defaults={"role": StaffRole.TOWN_COMMITTEE, "town": town}
    )
    return user


def measure(client: Client, path: str) -> tuple[float, float, int]:
    client.get(path)  # warm-up
    totals, sqls, counts = [], [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path)
            totals.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
        sqls.append(sum(float(q["time"]) for q in queries.captured_queries))
        counts.append(len(queries))
    return statistics.median(totals) * 1000, statistics.median(sqls) * 1000, max(counts)


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Needs PostgreSQL: set DATABASE_URL.")
    appeals = int(sys.argv[1]) if len(sys.argv) > 1 else FULL
    town = build(appeals)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(_user(town))
    community = Community.objects.filter(town=town).order_by("pk").first()
    estate = Estate.objects.filter(community=community).order_by("pk").first()
    pages = {
        "town, a year": "/dashboard/?period=2025",
        "town, a month": "/dashboard/?period=2025-06",
        "town, three years (custom)": "/dashboard/?from=2023-01-01&to=2025-12-31",
        "a community, a year": f"/dashboard/?period=2025&unit=community-{community.pk}",
        "one estate, a year": f"/dashboard/?period=2025&unit=estate-{estate.pk}",
        "town, a year, the places as CSV": "/dashboard/table/places.csv?period=2025",
    }
    print(f"{'page':36} {'server ms':>10} {'SQL ms':>8} {'queries':>8}")
    for label, path in pages.items():
        total, sql, count = measure(client, path)
        print(f"{label:36} {total:10.0f} {sql:8.0f} {count:8d}")


if __name__ == "__main__":
    main()
