"""Benchmark: the staff appeals list and an appeal page with many appeals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python scripts/bench_appeals_list.py [N]

Needs a database that `seed_demo` has run on (it adds N appeals to the demo estates once,
then reuses them). Prints, for each page, the median time of 5 requests and the number of
queries. Figures, not a test: run it on the machine you deploy to."""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from branches.models import Estate  # noqa: E402
from meetings.models import Appeal, AppealCategory, Status  # noqa: E402
from meetings.tracking import new_code  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000


def fill(n: int) -> None:
    have = Appeal.objects.count()
    if have >= n:
        return
    estates = list(Estate.objects.all())
    categories = list(AppealCategory.objects.all())
    statuses = [s for s in Status.values if s != Status.CLOSED]
    now = timezone.now()
    rng = random.Random(1)
    batch = []
    for i in range(have, n):
        created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 720))
        closed = rng.random() < 0.7
        status = Status.CLOSED if closed else rng.choice(statuses)
        batch.append(
            Appeal(
                code=new_code(),
                estate=rng.choice(estates),
                category=rng.choice(categories),
                title=f"基准测试诉求 {i}",
                description="…",
                source="web_form",
                contact_name="测试",
                contact_phone=f"139{i:08d}"[:11],
                status=status,
                closure_reason="solved" if closed else "",
                created_at=created,
                closed_at=created + timedelta(days=5) if closed else None,
                next_due_at=None if closed else created + timedelta(days=7),
            )
        )
        if len(batch) == 5000:
            Appeal.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Appeal.objects.bulk_create(batch, ignore_conflicts=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE meetings_appeal")


def measure(client, label, url):
    times = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    print(f"{label:<34} {statistics.median(times[1:]) * 1000:8.1f} ms  {len(queries):3d} queries")


def main():
    setup_test_environment()
    fill(N)
    total = Appeal.objects.count()
    guangda = Appeal.objects.filter(estate__community__name="光达社区").count()
    print(f"{connection.vendor}: {total} appeals, {guangda} in Guangda Community\n")
    staff = Client()
    assert staff.login(username="guangda", password="demo-2026")
    sample = Appeal.objects.filter(estate__community__name="光达社区").order_by("-pk").first()
    base = "/admin/meetings/appeal/"
    measure(staff, "list, first page", base)
    measure(staff, "list, page 30", base + "?p=30")
    measure(staff, "list, overdue", base + "?overdue=yes")
    measure(staff, "list, status in progress", base + "?status__exact=in_progress")
    measure(staff, "list, sorted by next due", base + "?o=5")
    measure(staff, "list, oldest first", base + "?o=4")
    measure(staff, "search by code", base + f"?q={sample.display_code}")
    measure(staff, "search by phone", base + f"?q={sample.contact_phone or '13900000000'}")
    measure(staff, "search by title words", base + "?q=楼道灯")
    measure(staff, "appeal page", f"{base}{sample.pk}/change/")
    superuser = Client()
    assert superuser.login(username="admin", password="demo-2026")
    measure(superuser, "list, first page (superuser)", base)


if __name__ == "__main__":
    main()
