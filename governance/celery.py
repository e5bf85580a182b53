"""The Celery app. Settings come from Django's settings with the CELERY_ prefix."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The periodic schedule, all of it, in one place. Times are Asia/Shanghai (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    # Every night at 03:30, when nobody is working: drop expired staff sessions so the
    # session table does not grow without end.
    "sessions-clear-expired": {
        "task": "governance.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=30),
    },
}
