"""Benchmark: the year end's drafting (figures + department evaluations) at town scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python scripts/bench_year_end.py [DEPARTMENTS] [REFERRALS]

Needs the bench database of `make bench` (seed_demo, then bench_appeals_list.py's appeals).
Adds once, for last year: DEPARTMENTS departments (default 500), a department review
meeting with ten representatives' scores for each, and REFERRALS referrals (default
200,000, spread over the appeals of that year in every estate) written straight into the
event history in bulk, most fixed (some late), most of those with a return visit. Then
times the year end as `manage.py year_end` runs it (the same steps and chunks the Celery
tasks run): the plan (the year's figures, grouped queries), every chunk, the slowest chunk,
and the whole, for a first run (inserts) and a re-run (refreshes). Target: under 30 s.
Figures, not a test: run it on the machine you deploy to."""

import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["DATABASE_STATEMENT_TIMEOUT"] = "0"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from branches.models import Community  # noqa: E402
from governance import yearend_run  # noqa: E402
from governance.models import DepartmentEvaluation, YearEndRun  # noqa: E402
from meetings.models import (  # noqa: E402
    Appeal,
    AppealEvent,
    Department,
    Meeting,
    MeetingType,
    ReturnVisit,
    ReviewScore,
)

DEPARTMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 500
REFERRALS = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
YEAR = timezone.localdate().year - 1
PLACE = "基准测试部门评议"
BATCH = 5000


def fill() -> None:
    have = Department.objects.filter(name__startswith="基准部门").count()
    Department.objects.bulk_create(
        Department(name=f"基准部门{n:04d}", level="county") for n in range(have, DEPARTMENTS)
    )
    if Meeting.objects.filter(place=PLACE).exists():
        return
    departments = list(Department.objects.filter(name__startswith="基准部门").order_by("pk"))
    rng = random.Random(10)
    held_at = timezone.make_aware(datetime(YEAR, 12, 20, 9))
    meeting = Meeting.objects.create(
        type=MeetingType.DEPARTMENT_REVIEW,
        community=Community.objects.order_by("pk").first(),
        held_at=held_at,
        place=PLACE,
        chair="基准",
    )
    ReviewScore.objects.bulk_create(
        (
            ReviewScore(
                meeting=meeting,
                department=department,
                representative=f"代表{r}",
                attitude=rng.randint(40, 100),
                efficiency=rng.randint(40, 100),
                results=rng.randint(40, 100),
            )
            for department in departments
            for r in range(10)
        ),
        batch_size=BATCH,
    )
    start = timezone.make_aware(datetime(YEAR, 1, 1))
    appeals = Appeal.objects.filter(
        created_at__gte=start, created_at__lt=timezone.make_aware(datetime(YEAR + 1, 1, 1))
    ).values_list("pk", "created_at")[:REFERRALS]
    events, visits = [], []

    def flush():
        AppealEvent.objects.bulk_create(events, batch_size=BATCH)
        ReturnVisit.objects.bulk_create(visits, batch_size=BATCH)
        events.clear()
        visits.clear()

    for pk, created in appeals.iterator(chunk_size=BATCH):
        referred = created + timedelta(hours=1)
        events.append(
            AppealEvent(
                appeal_id=pk,
                created_at=referred,
                kind="moved",
                move="route_refer",
                from_status="received",
                to_status="referred",
                department=rng.choice(departments),
                due_field="handling_due_at",
                due_at=referred + timedelta(days=15),
            )
        )
        if rng.random() < 0.85:  # fixed, some of them late
            fixed = referred + timedelta(days=rng.randint(1, 25))
            events.append(
                AppealEvent(
                    appeal_id=pk,
                    created_at=fixed,
                    kind="moved",
                    move="report_fix",
                    from_status="in_progress",
                    to_status="resolved",
                )
            )
            if rng.random() < 0.7:
                visits.append(
                    ReturnVisit(
                        appeal_id=pk,
                        channel="phone",
                        reached=True,
                        solved=True,
                        satisfaction=rng.choice(
                            ["satisfied"] * 6 + ["basically_satisfied"] * 2 + ["dissatisfied"]
                        ),
                        created_at=fixed + timedelta(days=2),
                    )
                )
        if len(events) >= BATCH:
            flush()
    flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def run_once(label: str) -> float:
    started = time.perf_counter()
    run = yearend_run.year_end_start(year=YEAR)
    planned = yearend_run.year_end_plan(year=YEAR, attempt=run.attempt)
    plan_s = time.perf_counter() - started
    slowest = 0.0
    for step, index, chunk in planned:
        t = time.perf_counter()
        yearend_run.year_end_chunk(
            year=YEAR, attempt=run.attempt, step=step, index=index, chunk=chunk
        )
        slowest = max(slowest, time.perf_counter() - t)
    total = time.perf_counter() - started
    run = YearEndRun.objects.get(year=YEAR)
    print(
        f"{label:<28} {total:6.2f} s in all (figures {plan_s:.2f} s, {len(planned)} chunks, "
        f"slowest chunk {slowest:.2f} s), {run.done}/{run.total} {run.state}"
    )
    return total


def main():
    t = time.perf_counter()
    fill()
    referrals = AppealEvent.objects.filter(department__isnull=False, created_at__year=YEAR).count()
    print(
        f"{connection.vendor}: {Appeal.objects.count()} appeals, {Department.objects.count()} "
        f"departments, {referrals} referrals in {YEAR} (setup {time.perf_counter() - t:.1f} s)"
    )
    DepartmentEvaluation.objects.filter(year=YEAR, status="draft").delete()
    first = run_once("year end, first run")
    again = run_once("year end, re-run (refresh)")
    grades = dict(
        DepartmentEvaluation.objects.filter(year=YEAR)
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    print(f"grades: {grades}")
    verdict = "under" if max(first, again) < 30 else "OVER"
    print(f"target 30 s: {verdict} ({max(first, again):.2f} s)")


if __name__ == "__main__":
    main()
