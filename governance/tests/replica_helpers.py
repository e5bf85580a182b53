"""A real streaming replica for the read-replica tests (governance/db_router.py).

`scripts/replica.sh start` makes it from the test run's PostgreSQL (pg_basebackup -R) and
starts it on REPLICA_PORT (5433); the session fixture `streaming_replica` (conftest.py) does
that once, and the fixture `replica` gives one test the "replica" database alias: the
primary's test database, read on the replica's port, which follows it by streaming. Where no
replica can be made the tests are skipped with the reason, unless REQUIRE_REPLICA is set
(CI sets it), which fails them instead.

The control connections here are plain psycopg ones, so what a test captures on Django's
connections is only what the site asked."""

import contextlib
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "replica.sh"
REPLICA_PORT = int(os.environ.get("REPLICA_PORT", "5433"))
WAIT_SECONDS = 60  # for the replica to replay or receive, on a busy machine


def unavailable(reason: str):
    if os.environ.get("REQUIRE_REPLICA"):
        pytest.fail(f"REQUIRE_REPLICA is set: {reason}")
    pytest.skip(reason)


class StreamingReplica:
    def __init__(self, primary: dict):
        self.primary = primary
        self.host = "127.0.0.1"
        self.port = REPLICA_PORT

    # --- the server ---------------------------------------------------------------------

    def script(self, command: str) -> subprocess.CompletedProcess:
        env = dict(
            os.environ,
            PRIMARY_HOST=self.primary["HOST"] or "127.0.0.1",
            PRIMARY_PORT=str(self.primary["PORT"] or 5432),
            PRIMARY_USER=self.primary["USER"] or "postgres",
            REPLICA_PORT=str(self.port),
        )
        return subprocess.run(
            [str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=900
        )

    def start(self) -> None:
        result = self.script("start")
        assert result.returncode == 0, result.stderr[-2000:]

    def stop(self) -> None:
        result = self.script("stop")
        assert result.returncode == 0, result.stderr[-2000:]

    def streaming(self) -> bool:
        return self.script("status").returncode == 0

    # --- what it has replayed -----------------------------------------------------------

    def _primary(self):
        p = self.primary
        return psycopg.connect(
            host=p["HOST"] or "127.0.0.1",
            port=p["PORT"] or 5432,
            user=p["USER"] or "postgres",
            password=p["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )

    def _replica(self):
        p = self.primary
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=p["USER"] or "postgres",
            password=p["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )

    def _primary_lsn(self) -> str:
        with self._primary() as conn:
            return conn.execute("SELECT pg_current_wal_flush_lsn()").fetchone()[0]

    def _wait(self, function: str) -> None:
        lsn = self._primary_lsn()
        deadline = time.monotonic() + WAIT_SECONDS
        with self._replica() as conn:
            while not conn.execute(f"SELECT {function}() >= %s::pg_lsn", [lsn]).fetchone()[0]:
                assert time.monotonic() < deadline, f"the replica's {function} stays behind {lsn}"
                time.sleep(0.05)

    def caught_up(self) -> None:
        """Wait until the replica has replayed everything the primary has committed."""
        self._wait("pg_last_wal_replay_lsn")

    def received(self) -> None:
        """Wait until the replica has received (not necessarily replayed) it all."""
        self._wait("pg_last_wal_receive_lsn")

    def pause(self) -> None:
        """Stop replaying (WAL still arrives): from now on it falls behind."""
        with self._replica() as conn:
            conn.execute("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        with self._replica() as conn:
            conn.execute("SELECT pg_wal_replay_resume()")


# --- which database served a request ---------------------------------------------------------

# What the primary answers on a heavy read: who the user is (the session and the account).
WHO = ("django_session", "auth_user")


@dataclass
class Served:
    status: int
    body: str
    cookies: dict
    # the statements each database ran for it, without BEGIN and COMMIT (the request's
    # transaction on the primary, empty on a page that reads the replica)
    primary: list[str]
    replica: list[str] | None  # the replica's (None: not watched)

    def only_who_on_primary(self) -> bool:
        return all(any(table in sql for table in WHO) for sql in self.primary)


def served(client, path: str, data=None, *, method: str = "get", watch_replica: bool = True):
    """The request's answer (a streamed one read to its end) and the statements each
    database ran for it. Watching the replica connects to it first: a test of a stopped
    replica watches only the primary."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from governance.replica import REPLICA

    with contextlib.ExitStack() as stack:
        primary = stack.enter_context(CaptureQueriesContext(connections["default"]))
        replica = (
            stack.enter_context(CaptureQueriesContext(connections[REPLICA]))
            if watch_replica
            else None
        )
        response = getattr(client, method)(path, data or {})
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return Served(
        response.status_code,
        body.decode(errors="replace"),
        {name: morsel.value for name, morsel in response.cookies.items()},
        _statements(primary),
        None if replica is None else _statements(replica),
    )


def _statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]


# Each module of replica tests: committed data (the replica sees only that), both databases.
REPLICA_TESTS = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
