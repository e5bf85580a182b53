"""Error pages: 400, 403 (and a form whose CSRF token failed), 404, 429, 500, and 503 when
the database cannot be reached.

They render without the database: not through the context processors (the user, the
session and the unread count all read it) but with only the request, for the language
switch, which takes the language from its cookie. A page that fails while the database is
down must not fail again while saying so."""

import math
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# What the 503 asks a browser or a crawler to wait, in seconds ("a few minutes" on the page).
RETRY_AFTER_DATABASE = 120

# SQLSTATE classes of a server that cannot serve us now: connection exception (08),
# insufficient resources (53: too many connections, out of memory or disk), operator
# intervention (57: shutting down, starting up, a statement cancelled by statement_timeout).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether an exception says the database cannot be reached (refused, timed out, lost,
    overloaded), as against a bug or a refused write, which stay a 500."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    driver_error = exc.__cause__
    if not hasattr(driver_error, "sqlstate"):
        return False  # not psycopg's: SQLite's errors (a file on this machine) stay a 500
    # psycopg gives no SQLSTATE to failures on our side of the wire: refused, timed out, lost
    sqlstate = driver_error.sqlstate
    return sqlstate is None or sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES


API_PREFIX = "/open311/v2/"


def render_error(request, template_name: str, status: int, **context) -> HttpResponse:
    """The site's error page; on the Open311 API, the specification's error list instead."""
    if request.path.startswith(API_PREFIX):
        from open311.formats import errors, format_of

        return errors(format_of(request.path), status, _(API_ERRORS[status]))
    context = {"request": request, "csrf_token": get_token(request), **context}
    return HttpResponse(get_template(template_name).render(context), status=status)


API_ERRORS = {
    400: gettext_noop("The request could not be read."),
    403: gettext_noop("Not allowed."),
    404: gettext_noop("Not found: see discovery.json for the resources."),
    429: gettext_noop("Too many requests. Try again later."),
    500: gettext_noop("Something went wrong on our side; it has been logged."),
    503: gettext_noop("The service is briefly unavailable; try again in a minute."),
}


def bad_request(request, exception=None):
    """A request Django cannot read (too many fields or files, a broken upload, a wrong
    host): say so plainly instead of a bare 400."""
    return render_error(request, "400.html", 400)


def permission_denied(request, exception=None):
    return render_error(request, "403.html", 403)


def page_not_found(request, exception=None):
    return render_error(request, "404.html", 404)


def server_error(request):
    """The 500 handler, and the one place where a database that cannot be reached becomes
    a 503 with Retry-After: Django calls it while handling the exception."""
    if database_unreachable(sys.exc_info()[1]):
        response = render_error(request, "503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_DATABASE)
        return response
    return render_error(request, "500.html", 500)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (CSRF_FAILURE_VIEW): in practice a page left
    open too long or a browser that drops cookies. Say how to keep what was typed."""
    return render_error(request, "403_csrf.html", 403)


def too_many_requests(request, *, retry_after: int | None = None) -> HttpResponse:
    """429 for a limit that is not the public form's own (that one names the community
    office: templates/meetings/rate_limited.html). `retry_after` in seconds, when known."""
    minutes = math.ceil(retry_after / 60) if retry_after else None
    response = render_error(request, "429.html", 429, minutes=minutes)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
