import math

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.i18n import set_language as django_set_language

from branches.services import staff_language_set
from meetings.models import Notification

from .health import Health, health_check


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


@transaction.non_atomic_requests  # the checks have connections of their own
@never_cache
@require_safe
def healthz(request):
    """Each part's state as JSON (governance/health.py), within 2 s whatever the parts do:
    200 while the database answers, 503 when it does not ({"db": "error"} or "timeout"),
    which is what load balancers read."""
    health = health_check()
    return JsonResponse(health.public(), status=200 if health.serving else 503)


STATE_WORDS = {
    "ok": gettext_lazy("ok"),
    "error": gettext_lazy("error"),
    "timeout": gettext_lazy("no answer in time"),
    "not configured": gettext_lazy("not configured"),
    "down": gettext_lazy("down"),
    "lagging": gettext_lazy("lagging"),
    "stale": gettext_lazy("stale"),
    "never": gettext_lazy("never ran"),
    "unknown": gettext_lazy("unknown"),
    "late": gettext_lazy("late"),
}


def _when(at) -> str:
    return date_format(timezone.localtime(at), "Y-m-d H:i:s")


def _health_parts(health: Health) -> list[tuple[str, str, str, str]]:
    """The page's first table: (id, part, state, what is behind it)."""
    public, replica = health.public(), health.replica
    lag = public["replica"]["lag_seconds"]
    behind = []
    if lag is not None:
        behind.append(_("%(lag)s s behind the primary") % {"lag": lag})
    if replica.current_to:
        behind.append(
            _("has everything committed until %(at)s") % {"at": _when(replica.current_to)}
        )
    if replica.status != "not configured":
        behind.append(
            _("heavy reads go to the primary while it is down or more than %(lag)s s behind")
            % {"lag": settings.REPLICA_MAX_LAG_SECONDS}
        )
    sweeps = []
    if health.last_sweep:
        sweeps.append(
            _("the last completed %(age)s ago (%(at)s)")
            % {"age": timesince(health.last_sweep, health.now), "at": _when(health.last_sweep)}
        )
    sweeps.append(
        _("stale after %(minutes)s minutes without one")
        % {"minutes": settings.HEALTH_SWEEP_STALE_MINUTES}
    )
    late = public["undelivered"]["older_than_an_hour"]
    rows = [
        ("db", _("Database"), public["db"], "" if health.serving else _("Pages answer 503.")),
        ("replica", _("Read replica"), replica.status, "; ".join(behind)),
        ("broker", _("Celery broker"), public["broker"]["state"], ""),
        ("sweeps", _("Periodic jobs"), health.sweeps_state, "; ".join(sweeps)),
        ("undelivered", _("Messages more than an hour late"), health.undelivered_state, late),
    ]
    return [
        (key, name, STATE_WORDS[state], "" if text is None else text)
        for key, name, state, text in rows
    ]


def _health_jobs(health: Health) -> list[dict]:
    jobs = []
    for run in health.sweeps or []:
        if run.every:
            minutes = round(run.every.total_seconds() / 60)
            runs = ngettext("every %(n)d minute", "every %(n)d minutes", minutes) % {"n": minutes}
        else:
            runs = f"cron {run.cron}" if run.cron else ""
        jobs.append(
            {
                "name": run.name,
                "task": run.task,
                "runs": runs,
                "at": _when(run.at) if run.at else _("never ran"),
                "late": timesince(health.now - run.late_by, health.now) if run.late else "",
            }
        )
    return jobs


@transaction.non_atomic_requests
@never_cache
@require_safe
def health_page(request):
    """The superusers' page: what /healthz says, with the counts behind it: each periodic
    job's last run and how late it is, the late messages by kind, the replica's lag."""
    if not request.user.is_superuser:
        raise PermissionDenied
    health = health_check()
    kinds, channels = dict(Notification.Kind.choices), dict(Notification.Channel.choices)
    context = {
        **admin.site.each_context(request),
        "title": _("Health"),
        "health": health,
        "parts": _health_parts(health),
        "jobs": _health_jobs(health),
        "undelivered": [
            (kinds.get(row.kind, row.kind), channels.get(row.channel, row.channel), row)
            for row in health.undelivered or []
        ],
    }
    return render(request, "admin/health.html", context)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer on either log-in page once a username or an address is locked
    out: 429, with what happened and what to do (wait, or ask the administrator)."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"minutes": math.ceil(seconds / 60)}
    response = render(request, "registration/locked_out.html", context, status=429)
    # Each refused try counts as a failure, so the full cool-off starts again now.
    response["Retry-After"] = str(seconds)
    return response
