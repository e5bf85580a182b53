"""The read replica's state: whether it answers, and how far behind the primary it is.

`replica_check()` asks the replica on a connection of its own, in a thread the caller waits
for at most `wait` seconds (as governance/health.py asks the primary), so a replica that
refuses, hangs or crawls never holds a request longer than that. `replica_state()` keeps the
answer for REPLICA_CHECK_SECONDS in this process: the router asks it on every heavy read,
and a replica that is down costs one connection attempt per process and period, not one per
request.

How far behind: a replica that has replayed all the WAL it received is current (lag 0);
otherwise its lag is the time since the last transaction it replayed was committed
(PostgreSQL's own measure). A replica that is not receiving WAL from the primary at all
(its WAL receiver is not running) cannot say how far behind it is: it counts as lagging,
its lag unknown. `current_to` is the moment up to which the replica has every committed
transaction: the router keeps a browser whose last write is newer on the primary."""

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.utils import load_backend

logger = logging.getLogger(__name__)

REPLICA = "replica"
# psycopg waits at least 2 s for a new connection; the thread is waited for a little longer.
REPLICA_WAIT_SECONDS = 2.5

NOT_CONFIGURED = "not configured"
OK = "ok"
DOWN = "down"
LAGGING = "lagging"

STATE_SQL = """
    SELECT pg_is_in_recovery(),
           EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
           pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) > 0,
           now(),
           pg_last_xact_replay_timestamp()
"""


@dataclass(frozen=True)
class ReplicaState:
    status: str
    lag_seconds: float | None = None  # None: unknown (or not configured, or down)
    current_to: datetime | None = None
    checked_at: float = field(default_factory=time.monotonic, compare=False)

    @property
    def readable(self) -> bool:
        return self.status == OK


def replica_configured() -> bool:
    return REPLICA in connections.settings


def _state_from(in_recovery, receiving, behind, now, replayed_at) -> ReplicaState:
    if not in_recovery:  # a server that is no standby is as current as itself
        return ReplicaState(OK, 0.0, now)
    if receiving and not behind:
        return ReplicaState(_judged(0.0), 0.0, now)
    if replayed_at is None:  # nothing replayed since it started: how old is unknown
        return ReplicaState(LAGGING, None, None)
    lag = max(0.0, (now - replayed_at).total_seconds())
    if not receiving:  # cut off from the primary: its data may be older than it knows
        return ReplicaState(LAGGING, None, replayed_at)
    return ReplicaState(_judged(lag), lag, replayed_at)


def _judged(lag: float) -> str:
    return LAGGING if lag > settings.REPLICA_MAX_LAG_SECONDS else OK


def replica_probe() -> ReplicaState:
    """The replica's state now, asked on a connection of its own (bounded by its connect
    timeout and statement timeout, not by a wait: callers run it in a thread)."""
    if not replica_configured():
        return ReplicaState(NOT_CONFIGURED)
    settings_dict = dict(connections.settings[REPLICA])
    db = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "replica-check")
    try:
        with db.cursor() as cursor:
            cursor.execute(STATE_SQL)
            state = _state_from(*cursor.fetchone())
    except DatabaseError:
        logger.warning("replica check: the replica refused", exc_info=True)
        state = ReplicaState(DOWN)
    finally:
        db.close()
    if not state.readable:
        logger.warning("replica check: %s (lag %s s)", state.status, state.lag_seconds)
    return state


def replica_check(*, wait: float = REPLICA_WAIT_SECONDS) -> ReplicaState:
    """`replica_probe` in a thread waited for at most `wait` seconds: down if no answer."""
    if not replica_configured():
        return ReplicaState(NOT_CONFIGURED)
    answer = {}
    thread = threading.Thread(
        target=lambda: answer.update(state=replica_probe()), name="replica-check", daemon=True
    )
    thread.start()
    thread.join(wait)
    return answer.get("state") or ReplicaState(DOWN)


_lock = threading.Lock()
_kept: dict[str, ReplicaState] = {}


def replica_state() -> ReplicaState:
    """The replica's state as checked in the last REPLICA_CHECK_SECONDS in this process (one
    thread checks; the others wait for its answer)."""
    if not replica_configured():
        return ReplicaState(NOT_CONFIGURED)
    with _lock:
        kept = _kept.get(REPLICA)
        if kept is None or time.monotonic() - kept.checked_at >= settings.REPLICA_CHECK_SECONDS:
            kept = _kept[REPLICA] = replica_check()
        return kept


def replica_state_set(state: ReplicaState) -> None:
    """Keep a state learnt otherwise: a request that could not connect, a fresh check."""
    with _lock:
        _kept[REPLICA] = state


def replica_state_forget() -> None:
    with _lock:
        _kept.clear()
