"""Benchmark: the year end over the bulk town (issue 10's speed clause): 500 departments and
the 200 branches of `manage.py seed_bulk`'s 规模测试镇 (1,000,000 appeals).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_bench \\
        .venv/bin/python scripts/bench_year_end.py [DEPARTMENTS]

Needs a database that seed_bulk has run on (`make bench-scripts` seeds it). For the last full year:

1. makes sure DEPARTMENTS (default 500) bulk departments exist; missing ones are created
   and that year's referrals of the bulk town spread over all of them (each appeal's
   department follows its latest referral), so every department has referrals to judge;
2. starts from no evaluations for the year (earlier runs' are deleted) and times the year
   end as `manage.py year_end` runs it (the same steps and chunks the Celery tasks run),
   for a first run (inserts) and a re-run (refreshes): the plan (the figures, grouped
   queries), the department chunks, the branch reports, the slowest chunk;
3. times meetings.queries.referral_outcomes and review_means for the year alone;
4. approves every draft as bulk-town, as `year_end --approve-as` does, which delivers each
   once (a PDF drawn per evaluation, e-mailed to its three recipients), counts the e-mails
   sent (three per evaluation, none twice) and prints the time per PDF.

Target: the year end's run under 30 s. Figures, not a test: run it on the machine you deploy
to, and record them in docs/benchmarks.md."""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["DATABASE_STATEMENT_TIMEOUT"] = "0"
os.environ["EMAIL_URL"] = "memorymail://"  # the e-mails are counted, not sent
# Tasks go to a real worker on Redis, as in production.
REDIS = os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
WORKERS = int(os.environ.get("BENCH_WORKERS") or os.cpu_count() or 2)
ROOT = Path(__file__).resolve().parent.parent

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from branches.models import Estate  # noqa: E402
from governance import tasks, yearend, yearend_run  # noqa: E402
from governance.bulk import BULK_TOWN, DEPARTMENT_PREFIX, bulk_departments  # noqa: E402
from governance.models import (  # noqa: E402
    BranchReport,
    DepartmentEvaluation,
    EvaluationStatus,
    Grade,
    YearEndRecipient,
    YearEndRun,
    YearEndState,
)
from meetings.models import Appeal, AppealEvent, Department, Notification  # noqa: E402
from meetings.queries import referral_outcomes, review_means, year_bounds  # noqa: E402

DEPARTMENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 500
YEAR = timezone.localdate().year - 1
TARGET_S = 30
RECIPIENTS = {
    YearEndRecipient.Kind.PERFORMANCE_OFFICE: ("县绩效办", "kpb@county.example.cn"),
    YearEndRecipient.Kind.TOWN_COMMITTEE: (f"{BULK_TOWN}党委", "dangwei@bulk.example.cn"),
}


def ensure_departments() -> None:
    """DEPARTMENTS bulk departments; if some were missing, the year's referrals of the bulk
    town spread over all of them (the event history and each appeal's current department)."""
    had = Department.objects.filter(name__startswith=DEPARTMENT_PREFIX).count()
    ids = bulk_departments(DEPARTMENTS)
    if had >= DEPARTMENTS:
        return
    start, end = year_bounds(YEAR)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE meetings_appealevent e
            SET department_id = (%(ids)s::bigint[])[1 + mod(hashint8(e.id) & 2147483647, %(n)s)]
            FROM meetings_appeal a JOIN branches_estate es ON es.id = a.estate_id
            JOIN branches_community c ON c.id = es.community_id
            JOIN branches_town t ON t.id = c.town_id
            WHERE e.appeal_id = a.id AND t.name = %(town)s AND e.department_id IS NOT NULL
              AND e.created_at >= %(start)s AND e.created_at < %(end)s
            """,
            {"ids": ids, "n": len(ids), "town": BULK_TOWN, "start": start, "end": end},
        )
        print(f"spread {cursor.rowcount} referrals of {YEAR} over {len(ids)} departments")
        cursor.execute(
            """
            UPDATE meetings_appeal a SET department_id = latest.department_id
            FROM (
                SELECT DISTINCT ON (appeal_id) appeal_id, department_id
                FROM meetings_appealevent
                WHERE department_id IS NOT NULL
                  AND appeal_id IN (SELECT appeal_id FROM meetings_appealevent
                                    WHERE department_id IS NOT NULL
                                      AND created_at >= %(start)s AND created_at < %(end)s)
                ORDER BY appeal_id, created_at DESC, id DESC
            ) latest
            WHERE a.id = latest.appeal_id AND a.department_id <> latest.department_id
            """,
            {"start": start, "end": end},
        )
        cursor.execute("ANALYZE meetings_appealevent")


def fresh_year() -> None:
    """No evaluations of the year (nor their messages), recipients with addresses."""
    old = list(DepartmentEvaluation.objects.filter(year=YEAR).values_list("pk", flat=True))
    for pk in old:
        Notification.objects.filter(dedupe_key__startswith=f"evaluation:{pk}:").delete()
    DepartmentEvaluation.objects.filter(pk__in=old).delete()
    BranchReport.objects.filter(year=YEAR, status="draft").delete()
    for kind, (name, emails) in RECIPIENTS.items():
        recipient, _ = YearEndRecipient.objects.get_or_create(
            kind=kind, defaults={"name": name, "emails": emails}
        )
        if not recipient.emails:
            recipient.emails = emails
            recipient.save(update_fields=["emails"])


def run_once(label: str) -> float:
    """The year end as `manage.py year_end` runs it: start, plan, every chunk."""
    started = time.perf_counter()
    run = yearend_run.year_end_start(year=YEAR)
    planned = yearend_run.year_end_plan(year=YEAR, attempt=run.attempt)
    plan_s = time.perf_counter() - started
    by_step: dict[str, float] = {}
    slowest = 0.0
    for step, index, chunk in planned:
        t = time.perf_counter()
        yearend_run.year_end_chunk(
            year=YEAR, attempt=run.attempt, step=step, index=index, chunk=chunk
        )
        took = time.perf_counter() - t
        by_step[step] = by_step.get(step, 0.0) + took
        slowest = max(slowest, took)
    total = time.perf_counter() - started
    run = YearEndRun.objects.get(year=YEAR)
    steps = ", ".join(f"{step} {s:.2f} s" for step, s in by_step.items())
    print(
        f"{label:<28} {total:6.2f} s in all: plan (figures) {plan_s:.2f} s, {steps}; "
        f"{len(planned)} chunks, slowest {slowest:.2f} s; {run.done}/{run.total} {run.state}"
    )
    return total


def median_of(fn, runs=3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def start_worker(log_path: Path) -> subprocess.Popen:
    """A prefork worker of WORKERS processes on REDIS (emptied first), DEBUG off."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-" + "x" * 40),
        "EMAIL_URL": "memorymail://",
        "PYTHONPATH": str(ROOT),
    }
    celery = [sys.executable, "-m", "celery", "-A", "governance"]
    subprocess.run([*celery, "purge", "-f"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    process = subprocess.Popen(
        [
            *celery,
            "worker",
            "--concurrency",
            str(WORKERS),
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit("the worker did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.2)
    return process


def wait_until(check, what: str, seconds: float = 600, every: float = 0.1) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting for {what} after {seconds:.0f} s")
        time.sleep(every)


def run_on_worker(label: str) -> float:
    """The year end as the schedule starts it: the plan and the chunks are the worker's
    tasks. Returns the seconds from the start to the run's last chunk counted."""
    started = time.perf_counter()
    attempt = tasks.year_end_start(year=YEAR)  # autocommit: the plan is queued at once

    def finished():
        run = YearEndRun.objects.get(year=YEAR)
        return run.attempt == attempt and run.state == YearEndState.DONE

    wait_until(finished, "the year end")
    took = time.perf_counter() - started
    run = YearEndRun.objects.get(year=YEAR)
    print(f"{label:<28} {took:6.2f} s on the worker: {run.done}/{run.total} {run.state}")
    return took


def task_times(log: str, name: str) -> list[float]:
    return [
        float(s)
        for s in re.findall(rf"Task {re.escape(name)}\[[^\]]+\] succeeded in ([0-9.]+)s", log)
    ]


def approve_all(log_path: Path) -> float:
    """Approve the year's drafts as bulk-town, as `year_end --approve-as` does (those "not
    evaluated" are left for a person), while the worker delivers them; returns the seconds
    until the last message was delivered."""
    town = get_user_model().objects.get(username="bulk-town")
    of_year = DepartmentEvaluation.objects.filter(year=YEAR, status=EvaluationStatus.DRAFT)
    left = of_year.filter(grade=Grade.NOT_EVALUATED).count()
    drafts = list(
        of_year.exclude(grade=Grade.NOT_EVALUATED).select_related("department").order_by("pk")
    )
    if left:
        print(f"left as drafts, not evaluated (no reviews and no referrals): {left}")
    keys = [
        f"evaluation:{e.pk}:v1:{who}"
        for e in drafts
        for who in ("department", *YearEndRecipient.Kind.values)
    ]
    started, started_at = time.perf_counter(), timezone.now()
    for evaluation in drafts:
        yearend.evaluation_approve(evaluation=evaluation, by=town)
    approving = time.perf_counter() - started
    messages = Notification.objects.filter(dedupe_key__in=keys)
    delivered = yearend.EvaluationEvent.objects.filter(evaluation__in=drafts, kind="delivered")
    unsent = Notification.objects.filter(
        delivered_at__isnull=True, dedupe_key__startswith="evaluation:"
    )

    def done():  # cheap checks, a few a second: the workers need the two cores
        return delivered.count() == len(drafts) and not unsent.exists()

    wait_until(done, f"{len(keys)} messages delivered", every=0.25)
    # the time the last e-mail went, from the database: the polling adds nothing
    last = messages.aggregate(last=Max("delivered_at"))["last"]
    took = (last - started_at).total_seconds()
    print(
        f"approve {len(drafts)} evaluations as bulk-town and deliver them: {took:.1f} s in all "
        f"(the approvals {approving:.1f} s, {approving / max(1, len(drafts)) * 1000:.0f} ms "
        f"each; {WORKERS} worker processes drawing and sending meanwhile)"
    )
    log = log_path.read_text()
    for name, what in (
        ("governance.tasks.evaluation_deliver_approved", "an evaluation's PDF and messages"),
        ("meetings.tasks.deliver_notification", "one e-mail"),
    ):
        times = task_times(log, name)
        if times:
            print(
                f"  {what}: {len(times)} tasks, median {statistics.median(times) * 1000:.0f} ms, "
                f"max {max(times) * 1000:.0f} ms, {sum(times):.1f} s of worker time"
            )
    per_evaluation = dict(
        messages.order_by()
        .values_list("dedupe_key")
        .annotate(n=Count("pk"))
        .values_list("dedupe_key", "n")
    )
    with_pdf = messages.exclude(attachment="").count()
    events = yearend.EvaluationEvent.objects.filter(evaluation__in=drafts, kind="delivered").count()
    once = len(per_evaluation) == len(keys) and all(n == 1 for n in per_evaluation.values())
    print(
        f"  messages delivered: {messages.count()} ({'each once' if once else 'NOT each once'}: "
        f"three per evaluation), with the PDF: {with_pdf}; delivery events: {events}"
    )
    again = 0
    for evaluation in drafts[:10]:  # delivering an approved evaluation again sends nothing
        evaluation.refresh_from_db()
        again += len(yearend.evaluation_deliver(evaluation=evaluation, by=town).sent)
    print(f"  delivered again (10 evaluations): {again} new messages")
    return took


def main():
    setup_test_environment()
    if not Estate.objects.filter(community__town__name=BULK_TOWN).exists():
        sys.exit(
            f"No {BULK_TOWN} here: run `manage.py seed_bulk --appeals 1000000 "
            f"--departments {DEPARTMENTS}` first (make bench-scripts does)."
        )
    t = time.perf_counter()
    ensure_departments()
    fresh_year()
    start, end = year_bounds(YEAR)
    referrals = AppealEvent.objects.filter(
        department__isnull=False, created_at__gte=start, created_at__lt=end
    ).count()
    referred = (
        AppealEvent.objects.filter(
            department__isnull=False, created_at__gte=start, created_at__lt=end
        )
        .values("department")
        .distinct()
        .count()
    )
    print(
        f"{connection.vendor}: {Appeal.objects.count():,} appeals, "
        f"{Department.objects.count()} departments ({referred} referred to in {YEAR}), "
        f"{referrals:,} referrals in {YEAR}, "
        f"{Estate.objects.count()} estates (setup {time.perf_counter() - t:.1f} s)"
    )
    run_once("in-process, first run")
    run_once("in-process, re-run (refresh)")
    fresh_year()
    log_path = Path(tempfile.mkdtemp()) / "worker.log"
    worker = start_worker(log_path)
    try:
        first = run_on_worker("year end, first run")
        again = run_on_worker("year end, re-run (refresh)")
        finish(first, again, log_path)
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def finish(first: float, again: float, log_path: Path) -> None:
    grades = dict(
        DepartmentEvaluation.objects.filter(year=YEAR)
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    print(f"grades: {grades}; branch reports: {BranchReport.objects.filter(year=YEAR).count()}")
    worst = max(first, again)
    verdict = "under" if worst < TARGET_S else "OVER"
    print(f"the year end alone, against the {TARGET_S} s target: {verdict} ({worst:.2f} s)")
    print(
        f"referral_outcomes({YEAR}): {median_of(lambda: referral_outcomes(year=YEAR)):.2f} s "
        f"(median of 3); review_means({YEAR}): "
        f"{median_of(lambda: review_means(year=YEAR)) * 1000:.0f} ms"
    )
    approved = approve_all(log_path)
    total = worst + approved
    print(
        f"in all (the slower run, then approval and delivery): {total:.1f} s against the "
        f"{TARGET_S} s target: {'met' if total < TARGET_S else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
