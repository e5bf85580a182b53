import math

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.i18n import set_language as django_set_language

from branches.services import staff_language_set

from .health import database_status


@require_safe
def home(request):
    return render(request, "home.html")


# No transaction around it: a resident's switch reads no database, so it works on an error
# page while the database is down (staff_language_set writes in a transaction of its own).
@transaction.non_atomic_requests
def set_language(request):
    """Django's language switch (the cookie), and for a staff user also their choice
    remembered, so their messages are written in that language too."""
    response = django_set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        staff_language_set(user=request.user, language=request.POST.get("language", ""))
    return response


@transaction.non_atomic_requests  # the check has a connection of its own
@never_cache
@require_safe
def healthz(request):
    """200 {"db": "ok"} when the database answers a query, 503 {"db": "error"} or
    {"db": "timeout"} otherwise, within 2 s whatever the database does (for load balancers)."""
    status = database_status()
    return JsonResponse({"db": status}, status=200 if status == "ok" else 503)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer on either log-in page once a username or an address is locked
    out: 429, with what happened and what to do (wait, or ask the administrator)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"minutes": math.ceil(seconds / 60)}
    response = render(request, "registration/locked_out.html", context, status=429)
    # Each refused try counts as a failure, so the full cool-off starts again now.
    response["Retry-After"] = str(seconds)
    return response
