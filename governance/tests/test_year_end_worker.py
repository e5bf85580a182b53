"""The year end on a real Celery worker on the real Redis: started for a year, the run
finishes with done = total and one draft per department; started again, still one each.

Needs REDIS_URL (CI has it) and PostgreSQL (the worker, another process, must read the test
database); skipped with the reason otherwise."""

import pytest
from django.test import override_settings

from governance import tasks
from governance.models import DepartmentEvaluation, YearEndRun, YearEndState

from .live_worker import needs_worker, running_worker, wait_for
from .yearend_helpers import department

pytestmark = needs_worker


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A worker with chunks of 3 on REDIS_URL's database, emptied first."""
    with running_worker(
        tmp_path / "worker.log", YEAR_END_CHUNK="3", EMAIL_URL="consolemail://"
    ) as log:
        yield log


def finished(year):
    run = YearEndRun.objects.filter(year=year).first()
    return run is not None and run.state == YearEndState.DONE


@override_settings(YEAR_END_CHUNK=3)
def test_a_real_worker_runs_the_year_end_in_chunks_once_per_department(worker):
    departments = [department(f"县第{n}局") for n in range(8)]
    for attempt in (1, 2):
        tasks.year_end_start(year=2025)  # autocommit: the plan task is published at once
        assert wait_for(lambda: finished(2025), seconds=60), worker.read_text()[-3000:]
        run = YearEndRun.objects.get(year=2025)
        assert (run.attempt, run.done, run.total) == (attempt, 8, 8)
        assert sorted(
            DepartmentEvaluation.objects.filter(year=2025).values_list("department", flat=True)
        ) == sorted(d.pk for d in departments)
    # three chunks of at most 3 departments each time, run by the worker
    assert worker.read_text().count("governance.tasks.year_end_chunk") >= 6
