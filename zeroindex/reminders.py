"""Reminders to a survey task's owner before its due date. The services set `remind_at`
(SURVEY_TASK_REMINDER_DAYS before the due date, 09:00) and clear it when the task is done
or dropped; a new owner or due date sets it afresh. The sweep claims each due reminder
with a conditional UPDATE on the very values it read (the time, the owner, the due date, an
unfinished status), so of two sweeps at once one sends it; the message's key
`task:<id>:due:<date>:user:<id>` makes it once per task, due date and owner whatever
happens. The sweep is tracked work's, shared with the rectification measures."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from meetings.messaging import site_url

from . import tracked_work
from .models import SurveyTask
from .services import SURVEY_TASKS


def _context(task: SurveyTask, now: datetime) -> dict:
    return {
        "task": task,
        "due": task.due_on,
        "days_left": (task.due_on - timezone.localdate(now)).days,
        "estate": task.estate.name,
        "round": task.suggestion.round.title,
        "url": site_url(reverse("admin:zeroindex_surveytask_change", args=[task.pk])),
    }


def sweep_task_reminders(now: datetime | None = None, limit: int = 500) -> int:
    """Send the task reminders that have fallen due (in working hours); returns how many
    this sweep claimed (tracked_work.sweep_reminders)."""
    return tracked_work.sweep_reminders(SURVEY_TASKS, context=_context, now=now, limit=limit)
