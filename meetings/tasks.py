"""Thin Celery tasks: load by id, call a service. Scheduled in governance/celery.py."""

from celery import shared_task

from . import kept_photos, messaging, reminders, retention


@shared_task(acks_late=True, ignore_result=True)
def deliver_notification(notification_id: int) -> bool:
    """Send one e-mail or text message. Safe to run twice: the claim in the service lets
    only one run send it. A failure is recorded with the time to try again (backing off,
    up to NOTIFICATION_MAX_ATTEMPTS); the five-minute sweep makes that retry, so there is
    one retry schedule, kept in the database."""
    try:
        return messaging.notification_deliver(notification_id=notification_id)
    except messaging.DeliveryFailed:
        return False


@shared_task(acks_late=True, ignore_result=True)
def run_sweeps() -> dict:
    """Every five minutes: reminders, digests, and messages whose task was lost."""
    return {
        "reminders": reminders.sweep_return_visit_reminders(),
        "digests": reminders.sweep_digests(),
        "undelivered": messaging.sweep_undelivered(),
    }


@shared_task(acks_late=True, ignore_result=True)
def anonymise_closed_appeals() -> int:
    """Daily: erase contact details of appeals closed longer ago than the retention period."""
    return retention.appeals_anonymise_closed().appeals_anonymised


@shared_task(acks_late=True, ignore_result=True)
def delete_stale_kept_photos() -> int:
    """Nightly: delete photos kept for a resident's retry more than a day ago, files too."""
    return kept_photos.kept_photos_delete_stale()
