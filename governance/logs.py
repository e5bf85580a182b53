"""Structured logs: one JSON line per record (LOG_FORMAT=json, production's default) or a
human-readable line (LOG_FORMAT=text, the default under DEBUG), both carrying the request id.

The request id is set by `governance.middleware.RequestLogMiddleware` for a request and by the
task signals (`governance.celery`) for a task run; a task enqueued during a request or another
task carries it in a message header, so the lines of a request and of every task it caused
share one id. Only ids are logged for people (the user's id, never a name), and a route
pattern, never a raw path (a path may hold a tracking code).

`RedactFilter` is the safety net on every handler: a mainland mobile number or a tracking code
that slipped into a message, its arguments or a traceback is written as "[redacted]".
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.utils.functional import empty

from branches.phones import mobiles_replaced
from meetings.tracking import ALPHABET

# The current request's (or task chain's) id, and the request being answered (for the
# signed-in user's id), for every line.
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
request_var: contextvars.ContextVar = contextvars.ContextVar("request", default=None)

# A proxy's X-Request-ID is taken when it looks like one (nginx's $request_id is 32 hex
# digits; a UUID has hyphens); anything else, or anything longer, is replaced by our own.
REQUEST_ID_SHAPE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{7,63}\Z")

REDACTED = "[redacted]"
# A tracking code as it is shown or stored (K7QF-93MX, K7QF93MX), as a word of its own.
_CODE_CHAR = f"[{ALPHABET}]"
CODE_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9]){_CODE_CHAR}{{4}}-?{_CODE_CHAR}{{4}}(?![A-Za-z0-9])")
# The paths that carry a resident's tracking code, in any case (meetings/urls.py,
# open311/urls.py; deploy/gunicorn.conf.py redacts the same in its access log).
CODE_IN_PATH = re.compile(
    r"(/appeals/(?:submitted|track)/|/open311/v2/requests/)[^/.?\s\"']+", re.IGNORECASE
)

# What a LogRecord has of its own: everything else on a record came in `extra` and is logged.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}


def redact(text: str) -> str:
    """`text` with mobile numbers and tracking codes (and the codes in known paths) replaced."""
    text = CODE_IN_PATH.sub(rf"\1{REDACTED}", text)
    text = mobiles_replaced(text, REDACTED)
    return CODE_IN_TEXT.sub(REDACTED, text)


def user_id_of(request) -> int | None:
    """The signed-in user's id if the request has already looked the user up (a log line
    makes no query of its own: a page that never asked who is signed in logs none)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from_header(value: str | None) -> str | None:
    """A proxy's X-Request-ID when it is well formed and holds nothing personal, else None."""
    if not value or not REQUEST_ID_SHAPE.match(value) or redact(value) != value:
        return None
    return value


def _redact_arg(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact(str(value))


class RedactFilter(logging.Filter):
    """The safety net, on every handler (settings.LOGGING): the message, its arguments and a
    traceback with mobile numbers and tracking codes replaced by "[redacted]". On a logger
    (django.request, which logs raw paths) it makes the record safe before any handler.

    The record is changed in place (Python 3.11 cannot hand a copy on), so the handlers after
    the first see the redacted record; the test suite's capture (governance/tests/log_leaks.py)
    reads each record before any handler, to check what the code itself logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact_arg(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redact_arg(value) for value in record.args)
        return True


class JsonFormatter(logging.Formatter):
    """One line of JSON per record: time (ISO 8601, UTC), level, logger, message, request_id,
    user_id, then the record's `extra` fields, then the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        # Django's own lines about a request (django.request) name it in `extra`, and may be
        # logged after the request's middleware has finished
        request = getattr(record, "request", None) or request_var.get()
        message = record.getMessage()
        exc_text = record.exc_text
        if record.exc_info and not exc_text:
            exc_text = self.formatException(record.exc_info)
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "request_id": getattr(record, "request_id", None)
            or getattr(request, "request_id", None)
            or request_id_var.get(),
            "user_id": getattr(record, "user_id", None) or user_id_of(request),
        }
        for key, value in vars(record).items():
            # plain values only: an object in `extra` (Django's `request`) would be written
            # as its repr, path and all
            if (
                key not in _RECORD_FIELDS
                and key not in line
                and not key.startswith("_")
                and (value is None or isinstance(value, str | int | float | bool))
            ):
                line[key] = value
        if exc_text:
            line["exception"] = exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A line for people (make run): time, level, logger, message, the request id if any."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            first, sep, rest = line.partition("\n")
            line = f"{first} [{request_id[:8]}]{sep}{rest}"
        return line


# -- Celery: the request id into the tasks, one line per task run ------------------------------

REQUEST_ID_HEADER = "request_id"  # the message header (a task's `self.request.request_id`)
task_logger = logging.getLogger("governance.tasks.runs")
_running: dict[str, dict] = {}


def task_publish_add_request_id(headers=None, **kwargs):
    """before_task_publish: the current request id goes with the message (not sent for eager
    tasks, which run in the caller's context and so keep its id anyway)."""
    current = request_id_var.get()
    if headers is not None and current and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = current


def task_started(task_id=None, task=None, **kwargs):
    """task_prerun: the request id the message carried (or the caller's, for an eager task;
    else the task's own id, so the tasks a sweep enqueues share it), and the start time."""
    carried = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
    request_id = (
        request_id_from_header(carried) or request_id_var.get() or task_id or new_request_id()
    )
    _running[task_id] = {"started": time.monotonic(), "token": request_id_var.set(request_id)}


def task_finished(task_id=None, task=None, state=None, **kwargs):
    """task_postrun (also after a failure or a retry): the task's one line, ERROR when it
    failed (its traceback is Celery's own line, celery.app.trace)."""
    run = _running.pop(task_id, {})
    # an eager task whose exception goes up to its caller (CELERY_TASK_EAGER_PROPAGATES)
    # ends with no state: it failed
    state = state or "FAILURE"
    duration_ms = None
    if run:
        duration_ms = round((time.monotonic() - run["started"]) * 1000, 1)
    level = logging.ERROR if state == "FAILURE" else logging.INFO
    task_logger.log(
        level,
        "task %s %s",
        getattr(task, "name", "?"),
        state,
        extra={
            "request_id": request_id_var.get(),
            "task_name": getattr(task, "name", None),
            "task_id": task_id,
            "state": state,
            "duration_ms": duration_ms,
        },
    )
    if run:
        # an eager task ran inside its caller: the caller's id is back for its next lines
        request_id_var.reset(run["token"])
