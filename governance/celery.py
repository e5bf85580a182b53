"""The Celery app. Settings come from Django's settings with the CELERY_ prefix."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_postrun,
    task_prerun,
    task_success,
)
from django.conf import settings

from .logs import task_finished, task_publish_add_request_id, task_started

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("governance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _year_end_at() -> crontab:
    return crontab(
        month_of_year=settings.YEAR_END_MONTH,
        day_of_month=settings.YEAR_END_DAY,
        hour=settings.YEAR_END_HOUR,
        minute=0,
    )


# The periodic schedule, all of it, in one place. Times are Asia/Shanghai (CELERY_TIMEZONE).
# "Every five minutes" is SWEEP_INTERVAL_SECONDS (300 unless the environment says otherwise:
# the topology test runs them every few seconds).
app.conf.beat_schedule = {
    # Every five minutes: return-visit reminders and escalations that fell due, the daily
    # digest of overdue appeals (once a day per recipient, in working hours), and any e-mail
    # or text message whose task was lost while the broker was down, or whose retry is due.
    "meetings-sweeps": {
        "task": "meetings.tasks.run_sweeps",
        "schedule": settings.SWEEP_INTERVAL_SECONDS,
    },
    # Every five minutes: remind the owner of each survey task (the Five Zeros' survey task
    # list) SURVEY_TASK_REMINDER_DAYS before its due date, once per task, due date and owner.
    "survey-task-reminders": {
        "task": "zeroindex.tasks.sweep_task_reminders",
        "schedule": settings.SWEEP_INTERVAL_SECONDS,
    },
    # Every five minutes, the same sweep for the branch reports' rectification measures
    # (tracked like survey tasks): their owners, SURVEY_TASK_REMINDER_DAYS before the due date.
    "measure-reminders": {
        "task": "governance.tasks.sweep_measure_reminders",
        "schedule": settings.SWEEP_INTERVAL_SECONDS,
    },
    # Every five minutes: an approved evaluation whose queued delivery (its PDF and messages)
    # was lost while the broker was down is delivered now.
    "evaluation-deliveries": {
        "task": "governance.tasks.evaluations_deliver_pending",
        "schedule": settings.SWEEP_INTERVAL_SECONDS,
    },
    # Every night at 02:30: erase the contact details of appeals closed more than
    # APPEAL_CONTACT_RETENTION_MONTHS ago (as the form's consent text promises).
    "appeals-retention": {
        "task": "meetings.tasks.anonymise_closed_appeals",
        "schedule": crontab(hour=2, minute=30),
    },
    # Every night at 02:45: delete the photos kept for a resident's retry after a form error
    # that were never filed (kept more than a day ago), files included.
    "kept-photos-expire": {
        "task": "meetings.tasks.delete_stale_kept_photos",
        "schedule": crontab(hour=2, minute=45),
    },
    # Every night at 03:30, when nobody is working: drop expired staff sessions so the
    # session table does not grow without end.
    "sessions-clear-expired": {
        "task": "governance.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every working day at 09:20: remind the secretary of each branch whose expected
    # organisational-life meeting (its own or a building group's) was missed in the period
    # just ended (governance/org_life.py); once per branch and period, so a daily run is
    # enough and a missed day is made up the next.
    "org-life-reminders": {
        "task": "governance.tasks.sweep_org_life_reminders",
        "schedule": crontab(hour=9, minute=20),
    },
    # Every five minutes: remind a building group's leader (by text) and the estate's branch
    # secretary COMMITMENT_REMINDER_DAYS before a group commitment's due date, once per
    # commitment and due date, in working hours.
    "commitment-reminders": {
        "task": "governance.tasks.sweep_commitment_reminders",
        "schedule": settings.SWEEP_INTERVAL_SECONDS,
    },
    # Once a year, early in January (YEAR_END_MONTH/DAY/HOUR, default 5 January at 02:00):
    # the year end for the year just ended, drafts only (delivery waits for approval).
    "year-end": {
        "task": "governance.tasks.year_end_scheduled",
        "schedule": _year_end_at(),
    },
}


@setup_logging.connect(dispatch_uid="governance.celery.logging")
def _logging_from_settings(**kwargs):
    """The worker and beat log as the site does (settings.LOGGING: JSON lines in production,
    the redaction on every handler) instead of Celery's own set-up of the root logger."""
    import logging.config

    logging.config.dictConfig(settings.LOGGING)


# The request id travels with each message (a header), and each task run is one log line
# (governance/logs.py): in the worker and for eager tasks alike.
before_task_publish.connect(task_publish_add_request_id, dispatch_uid="governance.request_id")
task_prerun.connect(task_started, dispatch_uid="governance.task_started")
task_postrun.connect(task_finished, dispatch_uid="governance.task_finished")


# The schedule's entries by task name: a completed run of one leaves its heartbeat (named for
# its entry), which /healthz and the health page read, so a beat that stopped, or workers
# that all stopped, show as an age that grows. Monitoring only: nothing else hangs on it.
SCHEDULED = {entry["task"]: name for name, entry in app.conf.beat_schedule.items()}


@task_success.connect(dispatch_uid="governance.celery.heartbeat")
def _heartbeat(sender=None, **kwargs):
    name = SCHEDULED.get(getattr(sender, "name", ""))
    if name:
        from .heartbeats import heartbeat_record  # models: not before Django is set up

        heartbeat_record(name=name)
