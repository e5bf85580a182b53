"""Reminders to a survey task's owner before its due date. The services set `remind_at`
(SURVEY_TASK_REMINDER_DAYS before the due date, 09:00) and clear it when the task is done
or dropped; a new owner or due date sets it afresh. The sweep claims each due reminder
with a conditional UPDATE on the very values it read (the time, the owner, the due date, an
unfinished status), so of two sweeps at once one sends it; the message's key
`task:<id>:due:<date>:user:<id>` makes it once per task, due date and owner whatever
happens."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from meetings.messaging import enqueue_deliveries, message_staff_user, site_url
from meetings.models import Notification
from meetings.reminders import in_working_hours

from .models import SurveyTask, TaskStatus

UNFINISHED = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


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
    this sweep claimed."""
    now = now or timezone.now()
    if not in_working_hours(now):
        return 0
    due = list(
        SurveyTask.objects.filter(remind_at__lte=now, status__in=UNFINISHED)
        .select_related("owner__staff_preference", "estate", "suggestion__round")
        .order_by("remind_at")[:limit]
    )
    claimed, ids = 0, []
    for task in due:
        with transaction.atomic():
            won = SurveyTask.objects.filter(
                pk=task.pk,
                remind_at=task.remind_at,
                owner=task.owner_id,
                due_on=task.due_on,
                status__in=UNFINISHED,
            ).update(remind_at=None)
            if not won:
                continue  # another sweep sent it, or the task moved meanwhile
            claimed += 1
            if not task.owner.is_active:
                continue
            message = message_staff_user(
                Notification.Kind.TASK_REMINDER,
                user=task.owner,
                dedupe_key=f"task:{task.pk}:due:{task.due_on:%Y-%m-%d}:user:{task.owner_id}",
                context=lambda task=task: _context(task, now),
            )
            if message:
                ids.append(message.pk)
    enqueue_deliveries(ids)
    return claimed
