"""The year-end run split into chunks (YEAR_END_CHUNK departments a task), its progress in
the year's YearEndRun row, and idempotence: a chunk run twice, or the whole run twice,
leaves one draft per department and counts each department once."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from governance import tasks, yearend_run
from governance.celery import app
from governance.models import DepartmentEvaluation, YearEndRun, YearEndState

from .yearend_helpers import department

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(db):
    return [department(f"县第{n}局") for n in range(7)]


@override_settings(YEAR_END_CHUNK=3)
def test_departments_are_planned_in_chunks_of_the_setting(seven):
    run = yearend_run.year_end_start(year=2025)
    planned = yearend_run.year_end_plan(year=2025, attempt=run.attempt)
    assert [len(chunk) for _, _, chunk in planned] == [3, 3, 1]
    run.refresh_from_db()
    assert (run.done, run.total, run.state) == (0, 7, YearEndState.RUNNING)
    assert DepartmentEvaluation.objects.count() == 0  # planning drafts nothing


@override_settings(YEAR_END_CHUNK=3)
def test_progress_counts_each_chunk_once_and_finishes(seven):
    run = yearend_run.year_end_start(year=2025)
    planned = yearend_run.year_end_plan(year=2025, attempt=run.attempt)
    step, index, chunk = planned[0]
    args = {"year": 2025, "attempt": run.attempt, "step": step, "index": index, "chunk": chunk}
    assert yearend_run.year_end_chunk(**args) is True
    assert yearend_run.year_end_chunk(**args) is False  # the same task delivered twice
    run.refresh_from_db()
    assert (run.done, run.total, run.state) == (3, 7, YearEndState.RUNNING)
    assert DepartmentEvaluation.objects.count() == 3
    for step, index, chunk in planned[1:]:
        yearend_run.year_end_chunk(
            year=2025, attempt=run.attempt, step=step, index=index, chunk=chunk
        )
    run.refresh_from_db()
    assert (run.done, run.total, run.state) == (7, 7, YearEndState.DONE)
    assert run.finished_at is not None
    assert DepartmentEvaluation.objects.count() == 7


@override_settings(YEAR_END_CHUNK=3)
def test_a_chunk_of_an_earlier_attempt_counts_nothing_in_the_new_one(seven):
    first = yearend_run.year_end_start(year=2025)
    step, index, chunk = yearend_run.year_end_plan(year=2025, attempt=first.attempt)[0]
    second = yearend_run.year_end_start(year=2025)
    yearend_run.year_end_plan(year=2025, attempt=second.attempt)
    assert not yearend_run.year_end_chunk(
        year=2025, attempt=first.attempt, step=step, index=index, chunk=chunk
    )
    second.refresh_from_db()
    assert (second.done, second.total) == (0, 7)
    assert YearEndRun.objects.filter(year=2025).count() == 1


@override_settings(YEAR_END_CHUNK=3)
def test_a_late_chunk_of_an_earlier_attempt_writes_no_draft(seven):
    """A worker that died with an old attempt's task and came back after a re-run must not
    write the figures it carries (older than the new attempt's) over the drafts."""
    first = yearend_run.year_end_start(year=2025)
    step, index, chunk = yearend_run.year_end_plan(year=2025, attempt=first.attempt)[0]
    stale = [[row[0], 9, 9 * 3 * 50, *row[3:]] for row in chunk]  # nine reviews of 50
    second = yearend_run.year_end_start(year=2025)
    for s, i, c in yearend_run.year_end_plan(year=2025, attempt=second.attempt):
        yearend_run.year_end_chunk(year=2025, attempt=second.attempt, step=s, index=i, chunk=c)
    yearend_run.year_end_chunk(
        year=2025, attempt=first.attempt, step=step, index=index, chunk=stale
    )
    assert not DepartmentEvaluation.objects.filter(review_count=9).exists()
    assert set(DepartmentEvaluation.objects.values_list("grade", flat=True)) == {"not_evaluated"}


@override_settings(YEAR_END_CHUNK=2)
def test_the_celery_run_twice_leaves_one_draft_each_and_done_equals_total(
    seven, django_capture_on_commit_callbacks
):
    assert app.conf.task_always_eager  # the suite's Celery runs tasks in-process
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.year_end_start(year=2025)
        run = YearEndRun.objects.get(year=2025)
        assert (run.done, run.total, run.state) == (7, 7, YearEndState.DONE)
        assert DepartmentEvaluation.objects.filter(year=2025).count() == 7
    assert run.attempt == 2
    assert sorted(DepartmentEvaluation.objects.values_list("department", flat=True)) == sorted(
        d.pk for d in seven
    )


def test_a_year_with_no_department_is_done_at_once(db):
    run = yearend_run.year_end_start(year=2025)
    assert yearend_run.year_end_plan(year=2025, attempt=run.attempt) == []
    run.refresh_from_db()
    assert (run.done, run.total, run.state) == (0, 0, YearEndState.DONE)


@override_settings(YEAR_END_CHUNK=3)
def test_the_command_prints_progress_lines_and_records_the_run(seven):
    out = io.StringIO()
    call_command("year_end", year="2025", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split("] ")[1] for line in lines if line.startswith("[")] == [
        "0/7",
        "3/7",
        "6/7",
        "7/7",
    ]
    assert "Department evaluations for 2025: 7 (done, 7/7)" in out.getvalue()
    assert YearEndRun.objects.get(year=2025).done == 7


def test_the_schedule_runs_the_year_just_ended_early_in_january():
    entry = app.conf.beat_schedule["year-end"]
    assert entry["task"] == "governance.tasks.year_end_scheduled"
    schedule = entry["schedule"]
    assert schedule.month_of_year == {1} and schedule.day_of_month == {5}
    assert schedule.hour == {2} and schedule.minute == {0}


def test_the_scheduled_task_starts_the_previous_year(seven, django_capture_on_commit_callbacks):
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        tasks.year_end_scheduled.delay()
    last_year = timezone.localdate().year - 1
    assert YearEndRun.objects.get(year=last_year).state == YearEndState.DONE
    assert DepartmentEvaluation.objects.filter(year=last_year).count() == 7


@override_settings(YEAR_END_CHUNK=3)
def test_the_run_also_drafts_every_branchs_report_as_one_more_step(seven, world):
    from governance.models import BranchReport

    call_command("year_end", year="2025", stdout=io.StringIO())
    run = YearEndRun.objects.get(year=2025)
    assert (run.done, run.total) == (8, 8)  # seven departments and the reports' step
    estates = {world.a_estate.pk, world.a_estate2.pk, world.b_estate.pk}
    assert set(BranchReport.objects.filter(year=2025).values_list("estate", flat=True)) == estates
