"""The site's URLs and error handlers, plus views that fail the ways a page can fail, for
the error page tests. None of them opens a transaction: the database is blocked there."""

import psycopg
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, transaction
from django.urls import path

from governance.errors import too_many_requests
from governance.urls import (  # noqa: F401  (the handlers are read from this module)
    handler400,
    handler403,
    handler404,
    handler500,
)
from governance.urls import urlpatterns as site_urlpatterns


def _django_error(django_class, driver_error):
    """The driver's error as Django raises it: wrapped, the driver's error as its cause."""
    try:
        raise driver_error
    except psycopg.Error as exc:
        raise django_class(*exc.args) from exc


@transaction.non_atomic_requests
def forbidden(request):
    raise PermissionDenied


@transaction.non_atomic_requests
def broken(request):
    raise ValueError("a bug in a view")


@transaction.non_atomic_requests
def database_refused(request):
    _django_error(
        OperationalError,
        psycopg.OperationalError(
            'connection failed: connection to server at "127.0.0.1", '
            "port 5432 failed: Connection refused"
        ),
    )


@transaction.non_atomic_requests
def database_statement_timeout(request):
    _django_error(
        OperationalError,
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
    )


@transaction.non_atomic_requests
def database_lock_refused(request):
    _django_error(
        OperationalError,
        psycopg.errors.LockNotAvailable('could not obtain lock on row in relation "appeal"'),
    )


@transaction.non_atomic_requests
def database_constraint(request):
    _django_error(IntegrityError, psycopg.errors.UniqueViolation("duplicate key value"))


@transaction.non_atomic_requests
def too_fast(request):
    return too_many_requests(request, retry_after=600)


@transaction.non_atomic_requests
def too_fast_unknown_wait(request):
    return too_many_requests(request)


urlpatterns = [
    *site_urlpatterns,
    path("test/forbidden/", forbidden),
    path("test/broken/", broken),
    path("test/database-refused/", database_refused),
    path("test/database-statement-timeout/", database_statement_timeout),
    path("test/database-lock-refused/", database_lock_refused),
    path("test/database-constraint/", database_constraint),
    path("test/too-fast/", too_fast),
    path("test/too-fast-unknown-wait/", too_fast_unknown_wait),
]
