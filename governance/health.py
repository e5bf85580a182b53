"""The site's health, for /healthz and the superusers' health page: whether the database
answers, the read replica's state and lag, whether the Celery broker answers, how long ago
the last periodic job completed (its heartbeat), and how many e-mails and texts are more
than an hour late.

Every check runs in a thread of its own, on connections of its own, and the caller waits
for all of them together at most `wait` seconds, so a database, replica or broker that
refuses, hangs or crawls never holds a worker longer than that: a check that has not
answered by then is "timeout" (the database), "down" (the replica, the broker) or
"unknown" (what needs the database). Nothing here names a host, a URL or an error's text:
/healthz is public; the log has the details."""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend
from django.utils import timezone
from kombu import Connection

from meetings.queries import Undelivered, messages_undelivered

from .queries import SweepRun, sweep_stale_after, sweeps_last_runs
from .replica import DOWN, ReplicaState, replica_probe, replica_state_set

logger = logging.getLogger(__name__)

# /healthz answers within 2 s: a load balancer's check must not pile up behind a hung server.
HEALTH_WAIT_SECONDS = 1.5
# A message due longer ago than this and not sent counts as late.
UNDELIVERED_AFTER = timedelta(hours=1)

OK = "ok"
NOT_CONFIGURED = "not configured"
UNKNOWN = "unknown"
_NO_ANSWER = object()


def _database_answers() -> str:
    """ "ok" when the database answers a query on a connection of its own, "error" when it
    refused or failed."""
    settings_dict = dict(connections.settings[DEFAULT_DB_ALIAS])
    options = dict(settings_dict.get("OPTIONS", {}))
    if "connect_timeout" in options:  # PostgreSQL: psycopg's shortest
        options["connect_timeout"] = 2
    settings_dict["OPTIONS"] = options
    db = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "healthz")
    try:
        db.ensure_connection()
        return "ok" if db.is_usable() else "error"
    except DatabaseError:
        logger.warning("health check: the database refused", exc_info=True)
        return "error"
    finally:
        db.close()


def broker_status() -> str:
    """ "ok" when the Celery broker accepts a connection, "down" when it does not, "not
    configured" without one (tasks run in-process)."""
    url = settings.CELERY_BROKER_URL
    if not url or url.startswith("memory://"):
        return NOT_CONFIGURED
    try:
        with Connection(
            url, connect_timeout=1, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
            conn.default_channel  # noqa: B018 - Redis: opening the channel asks the server
    except Exception:  # noqa: BLE001 - any failure means the broker cannot take tasks
        logger.warning("health check: the broker refused", exc_info=True)
        return DOWN
    return OK


def _bounded(checks: dict[str, Callable], wait: float) -> dict:
    """Each check in a daemon thread of its own (a thread still waiting on a hung server
    ends with its own timeouts), all waited for together at most `wait` seconds."""
    answers = {}

    def run(name, check):
        try:
            answers[name] = check()
        except Exception:  # noqa: BLE001 - a failing check is reported, never raised
            logger.warning("health check %s failed", name, exc_info=True)
        finally:
            connections.close_all()  # this thread's own

    threads = [
        threading.Thread(target=run, args=item, name=f"healthz-{item[0]}", daemon=True)
        for item in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + wait
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {name: answers.get(name, _NO_ANSWER) for name in checks}


@dataclass
class Health:
    """What the checks found; `public()` is /healthz's answer."""

    db: str
    replica: ReplicaState
    broker: str
    sweeps: list[SweepRun] | None  # None: unknown (the database did not answer)
    undelivered: list[Undelivered] | None
    now: datetime = field(default_factory=timezone.now)

    @property
    def serving(self) -> bool:
        return self.db == OK

    @property
    def last_sweep(self) -> datetime | None:
        return max((run.at for run in self.sweeps or [] if run.at), default=None)

    @property
    def sweeps_state(self) -> str:
        if self.sweeps is None:
            return UNKNOWN
        if self.last_sweep is None:
            return "never"
        return "stale" if self.now - self.last_sweep > sweep_stale_after() else OK

    @property
    def undelivered_count(self) -> int | None:
        return None if self.undelivered is None else sum(row.n for row in self.undelivered)

    @property
    def undelivered_state(self) -> str:
        if self.undelivered is None:
            return UNKNOWN
        return "late" if self.undelivered_count else OK

    def public(self) -> dict:
        age = self.now - self.last_sweep if self.last_sweep else None
        lag = self.replica.lag_seconds
        return {
            "db": self.db,
            "replica": {
                "state": self.replica.status,
                "lag_seconds": None if lag is None else round(lag, 1),
            },
            "broker": {"state": self.broker},
            "sweeps": {
                "state": self.sweeps_state,
                "age_seconds": None if age is None else int(age.total_seconds()),
            },
            "undelivered": {
                "state": self.undelivered_state,
                "older_than_an_hour": self.undelivered_count,
            },
        }


def health_check(*, wait: float = HEALTH_WAIT_SECONDS) -> Health:
    now = timezone.now()
    found = _bounded(
        {
            "db": _database_answers,
            "replica": replica_probe,
            "broker": broker_status,
            "sweeps": lambda: sweeps_last_runs(now=now),
            "undelivered": lambda: messages_undelivered(due_before=now - UNDELIVERED_AFTER),
        },
        wait,
    )
    db = found["db"]
    if db is _NO_ANSWER:
        logger.warning("health check: the database did not answer within %s s", wait)
        db = "timeout"
    replica = found["replica"]
    if replica is _NO_ANSWER:
        replica = ReplicaState(DOWN)
    if replica.status != "not configured":
        replica_state_set(replica)  # fresher than the router's: it uses it too
    broker = DOWN if found["broker"] is _NO_ANSWER else found["broker"]
    sweeps, undelivered = (
        None if found[name] is _NO_ANSWER else found[name] for name in ("sweeps", "undelivered")
    )
    return Health(db, replica, broker, sweeps, undelivered, now=now)


def database_status(*, wait: float = HEALTH_WAIT_SECONDS) -> str:
    """ "ok" when the database answers a query, "error" when it refused or failed,
    "timeout" when it has not answered within `wait` seconds."""
    answer = _bounded({"db": _database_answers}, wait)["db"]
    if answer is _NO_ANSWER:
        logger.warning("health check: the database did not answer within %s s", wait)
        return "timeout"
    return answer
