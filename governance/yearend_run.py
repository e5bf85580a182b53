"""How the year end runs (issue 10, item 5): a list of steps, each planned once into small
chunks of work, each chunk a task short enough (well under a minute) and idempotent, and the
run's progress in its `YearEndRun` row (one per year).

    year_end_start(year)          reset the year's run: a new attempt, nothing done yet
    year_end_plan(year, attempt)  each step's chunks (the step's figures computed once, in a
                                  few grouped queries, and carried in the chunks); sets total
    year_end_chunk(...)           draft one chunk, then count it once for its attempt

Celery runs them as tasks (governance/tasks.py); `manage.py year_end` calls the same
functions in turn. A re-run refreshes drafts (approved ones are untouched) and resets the
progress; nothing here delivers anything: delivery happens only on approval.

A step is a name, a `plan(year) -> list of chunks` (JSON-able lists, each item one unit of
progress) and a `draft(year, chunk)`. The departments' evaluations are the first step;
branch reports add theirs to STEPS.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from meetings.models import Department

from .models import YearEndRun, YearEndState
from .yearend import Figures, evaluations_write, figures_for_year

FIGURE_ORDER = [
    "review_count",
    "review_total",
    "referrals",
    "solved_on_time",
    "visits",
    "satisfied",
]


@dataclass(frozen=True)
class Step:
    name: str
    plan: Callable[[int], list[list]]
    draft: Callable[[int, list], None]


def _chunked(items: list, size: int) -> list[list]:
    size = max(1, size)
    return [items[i : i + size] for i in range(0, len(items), size)]


def departments_plan(year: int) -> list[list]:
    """Every department's figures for the year (three grouped queries), in chunks of
    YEAR_END_CHUNK departments: [[department id, *figures], ...]."""
    rows = [
        [department.pk, *(getattr(figures, name) for name in FIGURE_ORDER)]
        for department, figures in figures_for_year(year=year).items()
    ]
    return _chunked(rows, settings.YEAR_END_CHUNK)


def departments_draft(year: int, chunk: list) -> None:
    """Draft or refresh the evaluations of one chunk of departments (a constant number of
    queries: the departments, the existing evaluations, one insert, one update)."""
    departments = Department.objects.in_bulk([row[0] for row in chunk])
    figures = {
        departments[row[0]]: Figures(**dict(zip(FIGURE_ORDER, row[1:], strict=True)))
        for row in chunk
        if row[0] in departments
    }
    evaluations_write(year=year, figures=figures)


def branch_reports_plan(year: int) -> list[list]:
    """One unit when there are estates: every estate's report is drafted at once, by a few
    grouped queries whatever their number."""
    from branches.models import Estate

    return [[0]] if Estate.objects.exists() else []


def branch_reports_draft_step(year: int, chunk: list) -> None:
    from .reports import branch_reports_draft

    branch_reports_draft(year=year)


STEPS: list[Step] = [
    Step("departments", departments_plan, departments_draft),
    Step("branch_reports", branch_reports_plan, branch_reports_draft_step),
]


def _step(name: str) -> Step:
    return next(step for step in STEPS if step.name == name)


def year_end_start(*, year: int, at=None) -> YearEndRun:
    """Start (or restart) the year's run: one row per year, progress reset, a new attempt."""
    at = at or timezone.now()
    with transaction.atomic():
        run, created = YearEndRun.objects.select_for_update().get_or_create(
            year=year, defaults={"started_at": at}
        )
        if not created:
            run.attempt += 1
            run.state = YearEndState.RUNNING
            run.total = run.done = 0
            run.chunks_done = []
            run.started_at, run.finished_at = at, None
            run.save()
    return run


def year_end_plan(*, year: int, attempt: int) -> list[tuple[str, int, list]]:
    """Each step's chunks for this attempt, as (step, index, chunk); records the total. An
    attempt that is no longer current (restarted meanwhile) plans nothing."""
    planned = [
        (step.name, index, chunk) for step in STEPS for index, chunk in enumerate(step.plan(year))
    ]
    total = sum(len(chunk) for _, _, chunk in planned)
    with transaction.atomic():
        run = YearEndRun.objects.select_for_update().get(year=year)
        if run.attempt != attempt:
            return []
        run.total, run.done, run.chunks_done = total, 0, []
        run.state, run.finished_at = (
            (YearEndState.DONE, timezone.now()) if total == 0 else (YearEndState.RUNNING, None)
        )
        run.save()
    return planned


def _attempt_current(year: int, attempt: int) -> bool:
    """Is `attempt` the year's current one? On PostgreSQL the run's row is held FOR SHARE
    until the caller's transaction ends: chunks draft side by side, and a restart
    (year_end_start, FOR UPDATE) waits for the chunks drafting, so no chunk of the old
    attempt writes after the new one began. SQLite takes its write lock when a transaction
    begins (settings), which serialises them anyway."""
    table = connection.ops.quote_name(YearEndRun._meta.db_table)
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT attempt FROM {table} WHERE year = %s{lock}", [year])
        row = cursor.fetchone()
    return row is not None and row[0] == attempt


def year_end_chunk(*, year: int, attempt: int, step: str, index: int, chunk: list) -> bool:
    """Draft one chunk, then count it towards its attempt's progress once (a chunk run twice
    writes the same drafts and counts nothing more; one of an earlier attempt writes nothing
    and counts nothing). True when it was counted."""
    with transaction.atomic():
        if not _attempt_current(year, attempt):
            # a late task of an earlier attempt (a worker that died and came back): its
            # figures are older than the current attempt's, so it writes nothing
            return False
        _step(step).draft(year, chunk)
    key = f"{step}:{index}"
    with transaction.atomic():
        run = YearEndRun.objects.select_for_update().get(year=year)
        if run.attempt != attempt or key in run.chunks_done:
            return False
        run.chunks_done = [*run.chunks_done, key]
        YearEndRun.objects.filter(pk=run.pk).update(
            chunks_done=run.chunks_done, done=F("done") + len(chunk)
        )
        run.refresh_from_db(fields=["done", "total"])
        if run.done >= run.total:
            YearEndRun.objects.filter(pk=run.pk).update(
                state=YearEndState.DONE, finished_at=timezone.now()
            )
    return True
