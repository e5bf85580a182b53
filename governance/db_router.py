"""Where a request's reads go: the primary, or, for the heavy reads, the read replica.

One decision per request, made by `ReplicaReadsMiddleware` before the view runs and kept
in a context variable that `ReplicaRouter` reads for every query of the request:

- only GET and HEAD requests under `REPLICA_PATHS` may read the replica (the committee's
  dashboard with its downloads and exports, the public scoreboard and annual reports,
  Open311's reads); everything else reads the primary;
- not a browser that wrote in the last REPLICA_STICKY_SECONDS, nor one whose last write
  is newer than what the replica has replayed (`ReplicaState.current_to`): a request that
  writes (any POST, PUT, PATCH or DELETE, and any other that the router saw write) leaves
  the time in a signed cookie, `WROTE_COOKIE`, kept only as long as it can matter;
- not when the replica is down or lags more than REPLICA_MAX_LAG_SECONDS (its state as
  governance/replica.py last checked it), nor when its connection does not answer now
  (then it counts as down until the next check).

Who the user is (the session and the account) is read from the primary before the
decision, so a log-in, a log-out or a password change is never read from behind. Writes
always go to the primary. Without DATABASE_REPLICA_URL there is no replica alias and every
request reads the primary, as before. Outside a request (Celery tasks, commands, shells)
nothing is decided and everything is the primary's."""

import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import request_finished
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from .replica import (
    DOWN,
    REPLICA,
    ReplicaState,
    replica_configured,
    replica_state,
    replica_state_set,
)

# The heavy reads: every GET and HEAD under these paths may read the replica.
REPLICA_PATHS = ("/dashboard/", "/scoreboard/", "/reports/", "/open311/v2/")
READS = ("GET", "HEAD")
WROTE_COOKIE = "wrote"
_SALT = "governance.db_router.wrote"


@dataclass
class RequestDatabases:
    """What the router knows of the request being served."""

    reads: str | None = None  # the replica's alias, or None: the primary
    wrote: bool = False


_request: ContextVar[RequestDatabases | None] = ContextVar("request_databases", default=None)


def request_reads() -> str:
    """The alias this request reads from (the primary's outside a request)."""
    current = _request.get()
    return (current and current.reads) or DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        current = _request.get()
        return current.reads if current else None

    def db_for_write(self, model, **hints):
        current = _request.get()
        if current is not None:
            current.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


def found_on_primary_if_missing(queryset, *, wanted: int) -> list:
    """The rows of a look-up by what a client just got back from a write (a tracking code it
    was given a moment ago): a replica that has not replayed that write yet would answer
    "not found", and a client of the API keeps no cookie to be kept on the primary. When
    fewer than `wanted` rows come back from the replica, the primary is asked: one more
    query, only then."""
    rows = list(queryset)
    if len(rows) < wanted and queryset.db != DEFAULT_DB_ALIAS:
        rows = list(queryset.using(DEFAULT_DB_ALIAS))
    return rows


def _forget_request(**kwargs):
    """After the response (a streamed one included) is sent: the thread reads the primary."""
    _request.set(None)


request_finished.connect(_forget_request, dispatch_uid="governance.db_router.forget")


def _cookie_seconds() -> int:
    """How long a write can matter: the sticky window, or until any replica state that the
    router would still use was checked after it (a replica lagging at most
    REPLICA_MAX_LAG_SECONDS, checked at most REPLICA_CHECK_SECONDS ago)."""
    return max(
        settings.REPLICA_STICKY_SECONDS,
        settings.REPLICA_MAX_LAG_SECONDS + settings.REPLICA_CHECK_SECONDS + 1,
    )


def _wrote_at(request) -> float | None:
    value = request.get_signed_cookie(
        WROTE_COOKIE, default=None, salt=_SALT, max_age=_cookie_seconds()
    )
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _answers(alias: str) -> bool:
    """Whether the replica's connection of this thread answers now: a kept one is checked
    (SELECT 1, bounded by its connect timeout), a new one is made."""
    db = connections[alias]
    try:
        if db.connection is not None and not db.is_usable():
            db.close()
        db.ensure_connection()
    except DatabaseError:
        return False
    db.health_check_done = True  # checked just now: Django's own check need not repeat it
    return True


def replica_for(request) -> str | None:
    """The replica's alias when this request may read it, else None (the primary)."""
    if request.method not in READS or not request.path_info.startswith(REPLICA_PATHS):
        return None
    wrote_at = _wrote_at(request)
    if wrote_at is not None and time.time() - wrote_at < settings.REPLICA_STICKY_SECONDS:
        return None
    state = replica_state()
    if not state.readable:
        return None
    if wrote_at is not None and wrote_at >= state.current_to.timestamp():
        return None  # the replica has not replayed this browser's last write yet
    if not _answers(REPLICA):
        replica_state_set(ReplicaState(DOWN))
        return None
    return REPLICA


class ReplicaReadsMiddleware:
    """Decides where the request reads (`replica_for`) and leaves the cookie of a write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        current = RequestDatabases()
        _request.set(current)
        if not replica_configured():
            return self.get_response(request)
        if request.method in READS and request.path_info.startswith(REPLICA_PATHS):
            request.user.is_authenticated  # noqa: B018 - the session and user, from the primary
            current.reads = replica_for(request)
        response = self.get_response(request)
        if current.wrote or request.method not in READS + ("OPTIONS", "TRACE"):
            response.set_signed_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                salt=_SALT,
                max_age=_cookie_seconds(),
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
