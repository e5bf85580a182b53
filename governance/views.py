import logging

from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def home(request):
    return render(request, "home.html")


@transaction.non_atomic_requests  # a database that is down must give 503, not 500
@never_cache
@require_GET
def healthz(request):
    """200 {"db": "ok"} when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database did not answer")
        return JsonResponse({"db": "error"}, status=503)
    return JsonResponse({"db": "ok"})


def bad_request(request, exception=None):
    """A request Django cannot read (too many fields or files, a broken upload): say so
    plainly instead of a bare 400."""
    return render(request, "400.html", status=400)
