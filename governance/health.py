"""Whether the database answers, for /healthz: on a connection of its own, so a check never
waits on a request's connection, and in a thread the caller waits for a bounded time, so a
database that refuses, hangs or crawls never holds a worker longer than `wait`."""

import logging
import threading

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.utils import load_backend

logger = logging.getLogger(__name__)

# /healthz answers within 2 s: a load balancer's check must not pile up behind a hung server.
HEALTH_WAIT_SECONDS = 1.5


def database_status(*, wait: float = HEALTH_WAIT_SECONDS) -> str:
    """ "ok" when the database answers a query, "error" when it refused or failed,
    "timeout" when it has not answered within `wait` seconds."""
    answer = {}

    def check():
        settings_dict = dict(connections.settings[DEFAULT_DB_ALIAS])
        options = dict(settings_dict.get("OPTIONS", {}))
        if "connect_timeout" in options:  # PostgreSQL: psycopg's shortest
            options["connect_timeout"] = 2
        settings_dict["OPTIONS"] = options
        db = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "healthz")
        try:
            db.ensure_connection()
            answer["status"] = "ok" if db.is_usable() else "error"
        except DatabaseError:
            logger.warning("health check: the database refused", exc_info=True)
            answer["status"] = "error"
        finally:
            db.close()

    # A daemon thread: one still waiting on a hung server ends with its own timeouts.
    thread = threading.Thread(target=check, name="healthz", daemon=True)
    thread.start()
    thread.join(wait)
    status = answer.get("status", "timeout")
    if status == "timeout":
        logger.warning("health check: the database did not answer within %s s", wait)
    return status
