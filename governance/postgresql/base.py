"""Django's PostgreSQL backend, with a health check that gives up.

Django checks a kept connection (CONN_MAX_AGE with CONN_HEALTH_CHECKS) with SELECT 1 before
a request uses it. A server that hung (stopped, stuck on its disk) still has its kernel
acknowledge every packet, so TCP keepalives and tcp_user_timeout never fire, and that
SELECT 1 would wait until gunicorn killed the worker. Here it waits at most the connect
timeout; a connection that has not answered by then is dropped, and the new one that
replaces it is bounded by connect_timeout itself, so the page answers 503 within seconds."""

import selectors
import time

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None:
            return False
        seconds = float(self.settings_dict["OPTIONS"].get("connect_timeout") or 3)
        return answers_select_1(self.connection.pgconn, seconds=seconds)


def answers_select_1(pgconn: pq.abc.PGconn, *, seconds: float) -> bool:
    """Whether the server answers SELECT 1 on this connection within `seconds` (libpq's
    asynchronous calls, so the wait has an end; psycopg's own has none)."""
    deadline = time.monotonic() + seconds
    try:
        pgconn.send_query(b"SELECT 1")
        with selectors.DefaultSelector() as selector:
            selector.register(pgconn.socket, selectors.EVENT_WRITE)
            while pgconn.flush():
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    return False
            selector.modify(pgconn.socket, selectors.EVENT_READ)
            pgconn.consume_input()
            while pgconn.is_busy():
                if not selector.select(max(0.0, deadline - time.monotonic())):
                    return False
                pgconn.consume_input()
        answered = True
        while (result := pgconn.get_result()) is not None:
            answered = answered and result.status == pq.ExecStatus.TUPLES_OK
        return answered
    except psycopg.Error:
        return False
