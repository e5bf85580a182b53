"""The year end on a real Celery worker on the real Redis: started for a year, the run
finishes with done = total and one draft per department; started again, still one each.

Needs REDIS_URL (CI has it) and PostgreSQL (the worker, another process, must read the test
database); skipped with the reason otherwise."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from governance import tasks
from governance.celery import app
from governance.models import DepartmentEvaluation, YearEndRun, YearEndState
from meetings.tests.test_celery_worker_delivery import _test_database_url, wait_for

from .yearend_helpers import department

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis: set REDIS_URL"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL): the worker process reads the test database",
    ),
]


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A worker process on REDIS_URL's database, emptied first, with chunks of 3, and this
    process publishing to it."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        SECRET_KEY="worker-test-secret",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=REDIS_URL,
        YEAR_END_CHUNK="3",
        EMAIL_URL="consolemail://",
        PYTHONPATH=str(ROOT),
    )
    celery = [sys.executable, "-m", "celery", "-A", "governance"]
    subprocess.run([*celery, "purge", "-f"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    log_path = tmp_path / "worker.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*celery, "worker", "--pool", "solo", "--without-gossip", "--without-mingle", "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = REDIS_URL, False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            assert process.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker did not start in 60 s"
            time.sleep(0.3)
        yield log_path
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None
        process.terminate()
        process.wait(timeout=30)
        log.close()


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
