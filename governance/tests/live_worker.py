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


def broker_beside(offset: int) -> str:
    """A Redis database of its own for a worker test, `offset` after the suite's (CI's
    REDIS_URL is db 0): emptying it touches no other test's keys nor the cache."""
    base, _, number = REDIS_URL.rpartition("/")
    number = int(number) if number.isdigit() else 0
    return f"{base}/{(number + offset) % 16}"


def worker_environment(*, broker: str, **settings) -> dict[str, str]:
    """The environment of a Celery process (worker or beat) for a test: the test database,
    `broker`, and `settings` as environment variables."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        SECRET_KEY="worker-test-secret",
        DATABASE_URL=test_database_url(),
        REDIS_URL=broker,
        PYTHONPATH=str(ROOT),
        **settings,
    )
    return env


CELERY = [sys.executable, "-m", "celery", "-A", "governance"]


@contextlib.contextmanager
def publishing_to(broker: str):
    """Within the block this process hands its tasks to `broker` (not eager)."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = broker, False
    _drop_producer_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        _drop_producer_pools()


def wait_until_logged(process, log_path: Path, text: str, *, seconds=60) -> None:
    """Wait until a Celery process started with its output in `log_path` writes `text`
    (its "ready."); fail with the end of its log if it exits or takes longer."""
    deadline = time.monotonic() + seconds
    while text not in log_path.read_text():
        assert process.poll() is None, log_path.read_text()[-3000:]
        assert time.monotonic() < deadline, f"no {text!r} in {seconds} s: {log_path}"
        time.sleep(0.3)


@contextlib.contextmanager
def running_worker(log_path: Path, *, broker: str = REDIS_URL, **settings):
    """Start a solo worker on `broker` (emptied first) with the test database and `settings`
    as environment variables; publish to it from here; yield the worker's log file."""
    env = worker_environment(broker=broker, **settings)
    subprocess.run([*CELERY, "purge", "-f"], cwd=ROOT, env=env, capture_output=True, timeout=60)
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*CELERY, "worker", "--pool", "solo", "--without-gossip", "--without-mingle", "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        with publishing_to(broker):
            wait_until_logged(process, log_path, "ready.")
            yield log_path
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
