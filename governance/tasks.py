from celery import shared_task
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from . import commitment_reminders, measures, org_life, yearend, yearend_run


@shared_task(acks_late=True)
def sessions_clear_expired() -> int:
    """Delete expired login sessions; returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task(acks_late=True, ignore_result=True)
def sweep_measure_reminders() -> int:
    """Every five minutes: remind rectification measures' owners of the due dates coming up."""
    return measures.sweep_measure_reminders()


@shared_task(acks_late=True, ignore_result=True)
def sweep_org_life_reminders() -> int:
    """Daily in working hours: tell the secretaries of branches whose expected meetings were
    missed (governance/org_life.py), once per branch and period."""
    return org_life.sweep_org_life_reminders()


@shared_task(acks_late=True, ignore_result=True)
def sweep_commitment_reminders() -> int:
    """Every five minutes: remind group leaders and secretaries of commitments coming due."""
    return commitment_reminders.sweep_commitment_reminders()


# --- The year end (governance/yearend_run.py says how it is split) ------------------------


def year_end_start(*, year: int) -> int:
    """Reset the year's run and queue its planning once the reset is committed; returns the
    attempt."""
    run = yearend_run.year_end_start(year=year)
    transaction.on_commit(lambda: year_end_plan.delay(year, run.attempt))
    return run.attempt


@shared_task(acks_late=True)
def year_end_scheduled() -> int:
    """The schedule's entry: the run for the year just ended (local time)."""
    return year_end_start(year=timezone.localdate().year - 1)


@shared_task(acks_late=True)
def year_end_plan(year: int, attempt: int) -> int:
    """Compute the year's figures once and queue one task per chunk; returns how many."""
    planned = yearend_run.year_end_plan(year=year, attempt=attempt)
    for step, index, chunk in planned:
        year_end_chunk.delay(year, attempt, step, index, chunk)
    return len(planned)


@shared_task(acks_late=True)
def year_end_chunk(year: int, attempt: int, step: str, index: int, chunk: list) -> bool:
    """Draft one chunk (YEAR_END_CHUNK departments: a second or two) and count it once."""
    return yearend_run.year_end_chunk(
        year=year, attempt=attempt, step=step, index=index, chunk=chunk
    )


@shared_task(acks_late=True)
def evaluations_deliver_missed(department_id: int | None = None) -> int:
    """An address was saved: send approved evaluations to the recipients they missed."""
    return yearend.evaluations_deliver_missed(department_id=department_id)


@shared_task(acks_late=True)
def evaluation_deliver_approved(evaluation_id: int, version: int) -> int:
    """An approval was committed: draw its PDF and record its messages, once."""
    return yearend.evaluation_deliver_approved(evaluation_id=evaluation_id, version=version)


@shared_task(acks_late=True, ignore_result=True)
def evaluations_deliver_pending() -> int:
    """Every five minutes: an approval whose queued delivery was lost is delivered now."""
    return yearend.evaluations_deliver_pending()
