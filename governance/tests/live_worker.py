"""A real Celery worker for the tests that need one: a separate process on the real Redis
reading the test database, and this process publishing to it. Shared by the worker tests of
every app, so the start-up, the broker swap and the clean-up are written once.

Needs REDIS_URL and PostgreSQL (another process cannot read an in-memory SQLite database);
`needs_worker` skips with the reason otherwise."""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from governance.celery import app

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")

needs_worker = [
    pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis: set REDIS_URL"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL): the worker process reads the test database",
    ),
]


def test_database_url() -> str:
    """The URL of the database this test runs on, for the worker process."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def wait_for(check, seconds=30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def _drop_producer_pools() -> None:
    # Even eager tasks take a producer from the pool: drop the pools made for the old broker.
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def running_worker(log_path: Path, *, broker: str = REDIS_URL, **settings):
    """Start a solo worker on `broker` (emptied first) with the test database and `settings`
    as environment variables; publish to it from here; yield the worker's log file."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        SECRET_KEY="worker-test-secret",
        DATABASE_URL=test_database_url(),
        REDIS_URL=broker,
        PYTHONPATH=str(ROOT),
        **settings,
    )
    celery = [sys.executable, "-m", "celery", "-A", "governance"]
    subprocess.run([*celery, "purge", "-f"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*celery, "worker", "--pool", "solo", "--without-gossip", "--without-mingle", "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = broker, False
    _drop_producer_pools()
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            assert process.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker did not start in 60 s"
            time.sleep(0.3)
        yield log_path
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _drop_producer_pools()
        process.terminate()
        process.wait(timeout=30)
        log.close()
