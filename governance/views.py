from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language as django_set_language

from branches.services import staff_language_set

from .health import database_status


@require_GET
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
@require_GET
def healthz(request):
    """200 {"db": "ok"} when the database answers a query, 503 {"db": "error"} or
    {"db": "timeout"} otherwise, within 2 s whatever the database does (for load balancers)."""
    status = database_status()
    return JsonResponse({"db": status}, status=200 if status == "ok" else 503)
