"""PostgreSQL timeouts: a new connection gives up after DATABASE_CONNECT_TIMEOUT seconds,
and a statement that runs longer than DATABASE_STATEMENT_TIMEOUT milliseconds is cancelled
by the server, for the web and the Celery worker; `manage.py` commands (migrate building an
index over a million rows, cron's run_sweeps) run without a statement timeout.

Each case starts a fresh process with the environment a deployer would set."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

RUN_STATEMENT = """
import json, os, time, django
django.setup()
from django.db import OperationalError, connection
start = time.monotonic()
try:
    with connection.cursor() as cursor:
        cursor.execute(os.environ["SQL"])
        answer = str(cursor.fetchone()[0])
except OperationalError as exc:
    answer = f"error: {exc}"
print(json.dumps({"answer": answer, "seconds": time.monotonic() - start}))
"""

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)


def environment(database_url, **env):
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        DEBUG="false",
        SECRET_KEY="x" * 50,
        DATABASE_URL=database_url,
        REDIS_URL="",
    )
    clean.update(env)
    return clean


def postgres_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db['PORT'] or 5432}/postgres"


def run_statement(sql, *, command=False, **env):
    """Run one statement in a new process: as the web and Celery do (the settings as they
    are), or as a `manage.py shell` command does."""
    args = ["manage.py", "shell", "-c", RUN_STATEMENT] if command else ["-c", RUN_STATEMENT]
    result = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environment(postgres_url(), SQL=sql, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@needs_postgresql
def test_a_statement_longer_than_the_statement_timeout_is_cancelled():
    ran = run_statement("SELECT pg_sleep(3)", DATABASE_STATEMENT_TIMEOUT="300")
    assert ran["answer"].startswith("error: canceling statement due to statement timeout")


@needs_postgresql
def test_pages_and_tasks_have_a_statement_timeout_by_default():
    assert run_statement("SHOW statement_timeout")["answer"] == "20s"


@needs_postgresql
def test_manage_py_commands_run_without_a_statement_timeout():
    ran = run_statement("SHOW statement_timeout", command=True, DATABASE_STATEMENT_TIMEOUT="300")
    assert ran["answer"] == "0"


def test_a_new_connection_gives_up_after_the_connect_timeout():
    """A silent server (it accepts and never answers): psycopg's own default is 130 s."""
    from .live_site import SilentServer

    server = SilentServer()
    try:
        result = subprocess.run(
            [sys.executable, "-c", RUN_STATEMENT],
            cwd=ROOT,
            env=environment(server.url, SQL="SELECT 1", DATABASE_CONNECT_TIMEOUT="2"),
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        server.close()
    assert result.returncode == 0, result.stderr[-3000:]
    ran = json.loads(result.stdout)
    assert "timeout expired" in ran["answer"]
