"""gunicorn's settings for the web processes, read from the environment (the same
EnvironmentFile as the site's own settings; see docs/operations.md).

    gunicorn governance.wsgi:application -c deploy/gunicorn.conf.py

GUNICORN_BIND             where to listen (default 127.0.0.1:$PORT, PORT 8000): behind the
                          proxy only, as the README says.
GUNICORN_WORKERS          worker processes (else WEB_CONCURRENCY, else 2 x CPUs + 1, at most
                          12): each keeps one PostgreSQL connection (CONN_MAX_AGE).
GUNICORN_TIMEOUT          seconds a request may take before its worker is killed (30; the
                          database cancels a statement after DATABASE_STATEMENT_TIMEOUT, 20 s,
                          so a slow page ends in the 503 page first). The appeals exports need
                          more: serve /dashboard/exports/ from a second gunicorn with 150.
GUNICORN_GRACEFUL_TIMEOUT seconds a worker gets to finish its requests on a restart or stop (30).
GUNICORN_MAX_REQUESTS     requests before a worker is replaced (1000, with up to 100 of jitter
                          so they do not all restart at once; 0: never), which bounds the
                          memory a long-lived worker gathers (PDFs, spreadsheets).
TRUSTED_PROXIES           the site's own setting: the proxies whose X-Forwarded-Proto gunicorn
                          believes too (forwarded_allow_ips; none when unset).

LOG_FORMAT                the site's own setting (json unless DEBUG is on): with json, each
                          request is the site's own JSON line (route, status, duration_ms,
                          request_id, user_id; docs/operations.md, "Logs") and gunicorn's
                          access log is off; with text, gunicorn writes the access log below.

The access log (LOG_FORMAT=text) is one line per request on standard output (the journal under
systemd) with its duration in milliseconds. The path is logged without its query string (a
staff search may be a phone number), and a tracking code in a path is replaced by "[code]".
"""

import ipaddress
import os
import re

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name}={value!r} is not a whole number") from None


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers)
    except AttributeError:
        return os.cpu_count() or 1


def default_workers(cpus: int) -> int:
    """gunicorn's rule of thumb (2 x CPUs + 1), capped: every worker holds a database
    connection, and PostgreSQL allows 100 by default for all web hosts, workers and beat."""
    return min(2 * cpus + 1, 12)


def _trusted_proxies() -> str:
    # The site accepts "10.0.0.1/8" (strict=False); gunicorn wants the network itself.
    entries = [e.strip() for e in os.environ.get("TRUSTED_PROXIES", "").split(",") if e.strip()]
    return ",".join(str(ipaddress.ip_network(entry, strict=False)) for entry in entries)


bind = [os.environ.get("GUNICORN_BIND", "").strip() or f"127.0.0.1:{_int('PORT', 8000)}"]
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", default_workers(_cpus())))
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# X-Forwarded-Proto is believed from these only (the site's middleware drops it, and
# X-Forwarded-For, from anyone else as well). Empty: from nobody.
forwarded_allow_ips = _trusted_proxies()
# systemd (ExecReload, HUP) and signals (TTIN/TTOU) manage the workers; a control socket
# would be one per user (~/.gunicorn/), shared by every gunicorn of that user.
control_socket_disable = True


def log_format() -> str:
    """The site's LOG_FORMAT, with the same default (governance/settings.py)."""
    given = os.environ.get("LOG_FORMAT", "").strip().lower()
    if given:
        return given
    debug = os.environ.get("DEBUG", "").strip().lower() in ("true", "on", "yes", "1")
    return "text" if debug else "json"


# With JSON logs the site writes one line per request itself, with the request id and the
# route: gunicorn's line would say the same again.
accesslog = "-" if log_format() == "text" else None
# client (as the proxy saw it), the proxy, time, request without its query string, status,
# bytes, duration, worker pid, user agent
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %(p)s "%(a)s"'
)

# The paths that carry a resident's tracking code (meetings/urls.py, open311/urls.py).
CODE_IN_PATH = re.compile(r"^(/appeals/(?:submitted|track)/|/open311/v2/requests/)[^/.]+")


class AccessLogger(Logger):
    """gunicorn's logger, with the tracking code taken out of the logged path and the
    request line never carrying the query string."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = CODE_IN_PATH.sub(r"\1[code]", atoms.get("U") or "")
        atoms["U"] = path
        atoms["r"] = f"{atoms.get('m')} {path} {atoms.get('H')}"
        atoms["q"] = "-"
        atoms["f"] = "-"  # the referrer may hold a code or a query string too
        return atoms


logger_class = AccessLogger
