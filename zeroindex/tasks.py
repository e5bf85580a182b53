"""Thin Celery tasks: call a service. Scheduled in governance/celery.py."""

from celery import shared_task

from . import reminders


@shared_task(acks_late=True, ignore_result=True)
def sweep_task_reminders() -> int:
    """Every five minutes: remind survey tasks' owners of the due dates coming up."""
    return reminders.sweep_task_reminders()
