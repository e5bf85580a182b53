"""Retention: contact details and photos of appeals closed longer ago than the period the
form's consent text quotes are erased nightly; what each run changed is recorded."""

import calendar
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from branches.phones import mobiles_replaced

from .models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    Notification,
    RetentionRun,
    ReturnVisit,
    Status,
)


def months_before(now: datetime, months: int) -> datetime:
    """The same local time `months` calendar months earlier (the 31st becomes the month's
    last day)."""
    local = timezone.localtime(now)
    year, month0 = divmod(local.year * 12 + local.month - 1 - months, 12)
    day = min(local.day, calendar.monthrange(year, month0 + 1)[1])
    return local.replace(year=year, month=month0 + 1, day=day)


def _scrub(text: str) -> str:
    return mobiles_replaced(text, "1**********")


def _scrub_phone_numbers(appeal_ids) -> None:
    """Mobile numbers typed into free text (a description, a note, a message that quoted
    it) go with the contact details."""
    for model, fields in (
        (Appeal, ["description", "title"]),
        (AppealEvent, ["public_note", "internal_note"]),
        (ReturnVisit, ["note"]),
        (Notification, ["text", "html", "subject"]),
    ):
        key = "pk__in" if model is Appeal else "appeal__in"
        for row in model.objects.filter(**{key: appeal_ids}).only("pk", *fields).iterator():
            changed = {f: _scrub(getattr(row, f)) for f in fields}
            if any(changed[f] != getattr(row, f) for f in fields):
                model.objects.filter(pk=row.pk).update(**changed)


def appeals_anonymise_closed(now: datetime | None = None) -> RetentionRun:
    """Erase the contact details of appeals closed more than the retention period ago (the
    period the form's consent text quotes), and remove their photos; the appeals themselves,
    their categories, places, dates and outcomes stay for the statistics."""
    now = now or timezone.now()
    cutoff = months_before(now, settings.APPEAL_CONTACT_RETENTION_MONTHS)
    with transaction.atomic():
        ids = list(
            Appeal.objects.filter(
                status=Status.CLOSED, closed_at__lt=cutoff, anonymised_at__isnull=True
            ).values_list("pk", flat=True)
        )
        photos = list(AppealPhoto.objects.filter(appeal__in=ids))
        files = [(photo.image.storage, photo.image.name) for photo in photos]

        def delete_photo_files():
            for storage, name in files:
                storage.delete(name)

        transaction.on_commit(delete_photo_files, robust=True)
        AppealPhoto.objects.filter(pk__in=[p.pk for p in photos]).delete()
        Appeal.objects.filter(pk__in=ids).update(
            contact_name="", contact_phone="", anonymised_at=now
        )
        Notification.objects.filter(appeal__in=ids, channel=Notification.Channel.SMS).update(
            address="", recipient_name=""
        )
        _scrub_phone_numbers(ids)
        return RetentionRun.objects.create(
            ran_at=now,
            closed_before=cutoff,
            appeals_anonymised=len(ids),
            photos_removed=len(photos),
        )
