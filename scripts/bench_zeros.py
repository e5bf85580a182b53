"""Benchmark: the Five Zeros reads for a town at full size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python scripts/bench_zeros.py

Builds once (bulk_create; reused by later runs) a town of 200 estates in 10 communities,
2,000 buildings and five years of incidents (~50,000, about 90% verified, the rest pending
or dismissed; some estates clean, most with incidents every month or two, records starting
at different times, a few not set). Prints, for each read of zeroindex/queries.py, the
median time of 5 runs after a warm-up and its number of queries. Figures, not a test: run
it on the machine you deploy to."""

import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("DEBUG", "true")
# Filling the tables and VACUUM ANALYZE outlast a page's statement timeout.
os.environ["DATABASE_STATEMENT_TIMEOUT"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from branches.models import Building, Community, Estate, Town  # noqa: E402
from zeroindex.models import Incident, IncidentCategory, IncidentStatus, RecordsStart  # noqa: E402
from zeroindex.queries import (  # noqa: E402
    Period,
    building_board,
    community_ranking,
    estate_board,
    estate_ranking,
    five_zero_year,
    rollups,
    year_grid,
)

TOWN = "基准测试镇"
COMMUNITIES, ESTATES, BUILDINGS_PER_ESTATE, YEARS = 10, 200, 10, 5
INCIDENTS = 50_000


@transaction.atomic
def build() -> Town:
    town = Town.objects.filter(name=TOWN).first()
    if town:
        return town
    rng = random.Random(9)
    town = Town.objects.create(name=TOWN, county="基准县")
    communities = Community.objects.bulk_create(
        Community(town=town, name=f"基准社区{c:02d}") for c in range(COMMUNITIES)
    )
    estates = Estate.objects.bulk_create(
        Estate(community=communities[i % COMMUNITIES], name=f"基准小区{i:03d}")
        for i in range(ESTATES)
    )
    buildings = Building.objects.bulk_create(
        Building(estate=e, name=f"{b + 1}栋") for e in estates for b in range(BUILDINGS_PER_ESTATE)
    )
    by_estate = {}
    for building in buildings:
        by_estate.setdefault(building.estate_id, []).append(building)
    today = timezone.localdate()
    first = date(today.year - YEARS, today.month, 1)
    starts = []
    for i, estate in enumerate(estates):
        if i % 20 == 19:
            continue  # records not set: unknown throughout
        late = rng.random() < 0.15  # records starting within the last two years
        offset = rng.randint(0, 24) if late else 0
        month = first.month - 1 + (YEARS * 12 - 24 + offset if late else 0)
        starts.append(
            RecordsStart(estate=estate, month=date(first.year + month // 12, month % 12 + 1, 1))
        )
    RecordsStart.objects.bulk_create(starts)
    # Weights: a fifth of the estates clean (almost never an incident), the rest uneven.
    weights = [0.02 if rng.random() < 0.2 else rng.uniform(0.3, 2.0) for _ in estates]
    now = timezone.now()
    span = int((now - timezone.make_aware(datetime(first.year, first.month, 1))).total_seconds())
    categories = IncidentCategory.values
    batch = []
    for estate in rng.choices(estates, weights=weights, k=INCIDENTS):
        occurred = now - timedelta(seconds=rng.randint(60, span))
        roll = rng.random()
        status = (
            IncidentStatus.VERIFIED
            if roll < 0.9
            else IncidentStatus.PENDING
            if roll < 0.95
            else IncidentStatus.DISMISSED
        )
        batch.append(
            Incident(
                estate=estate,
                building=rng.choice(by_estate[estate.pk]) if rng.random() < 0.7 else None,
                category=rng.choice(categories),
                occurred_at=occurred,
                description="基准测试事件",
                status=status,
                recorded_at=occurred,
                verified_at=occurred + timedelta(days=1)
                if status == IncidentStatus.VERIFIED
                else None,
                dismissed_at=occurred + timedelta(days=1)
                if status == IncidentStatus.DISMISSED
                else None,
                dismissal_reason="重复上报" if status == IncidentStatus.DISMISSED else "",
            )
        )
    Incident.objects.bulk_create(batch, batch_size=5000)
    return town


def measure(label, read):
    read()  # warm-up
    times = []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            read()
            times.append(time.perf_counter() - start)
    print(f"{label:<40} {statistics.median(times) * 1000:8.1f} ms  {len(queries):3d} queries")


def main():
    town = build()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE zeroindex_incident")
    estates = Estate.objects.filter(community__town=town)
    incidents = Incident.objects.filter(estate__community__town=town)
    print(
        f"{connection.vendor}: {estates.count()} estates, "
        f"{Building.objects.filter(estate__community__town=town).count()} buildings, "
        f"{incidents.count()} incidents ({incidents.filter(status='verified').count()} verified)\n"
    )
    this = Period.current()
    last_year = this.year - 1
    community = Community.objects.filter(town=town).order_by("name").first()
    busiest = estates.order_by("-pk").first()

    def each(read):
        return lambda: list(read())

    measure(f"estate_board, month {this}", each(lambda: estate_board(period=this, estates=estates)))
    measure(
        f"estate_board, year {this.year}",
        each(lambda: estate_board(period=Period(this.year), estates=estates)),
    )
    measure(
        f"estate_board, year {last_year}",
        each(lambda: estate_board(period=Period(last_year), estates=estates)),
    )
    measure(f"year_grid {last_year}", each(lambda: year_grid(year=last_year, estates=estates)))
    measure(
        f"building_board, year {last_year}",
        each(lambda: building_board(period=Period(last_year), estate=busiest)),
    )
    measure(
        f"rollups, year {last_year}",
        each(lambda: rollups(period=Period(last_year), estates=estates)),
    )
    measure(
        f"estate_ranking {last_year} (one community)",
        each(lambda: estate_ranking(year=last_year, community=community)),
    )
    measure(
        f"community_ranking {last_year}", each(lambda: community_ranking(year=last_year, town=town))
    )
    measure(
        f"five_zero_year {last_year}",
        lambda: five_zero_year(year=last_year, estates=estates),
    )


if __name__ == "__main__":
    main()
