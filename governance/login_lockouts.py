"""django-axes (the log-in lockouts) under a name the admin shows in both languages.

INSTALLED_APPS names this config instead of "axes"; the app keeps its label, tables and
URLs (/admin/axes/...). Its pages are for superusers only (governance/admin.py)."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class LoginLockoutsConfig(AppConfig):
    verbose_name = _("Log-in lockouts")


def lockout_username(request, credentials=None):
    """The username axes counts and records: as typed, cut to the 255 characters its records
    hold. Django's log-in form does not limit its length, and PostgreSQL refuses a longer
    value (the page would fail instead of saying the password is wrong)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    return username[:255] if username else username


# Axes ships no Chinese. The labels of its pages, here so that `make messages` keeps them in
# our catalogue, which Django reads before axes' own.
AXES_LABELS = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("Username"),
    gettext_noop("IP Address"),
    gettext_noop("User Agent"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Logout Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("Access lock out"),
    gettext_noop("Locked Out"),
    gettext_noop("Clean up expired attempts"),
]
