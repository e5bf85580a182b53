"""Notifications: who is told what, recorded before anything is sent, delivered by small
tasks after commit, and found again by the periodic sweeps when a task was lost.

The moves in meetings.services call the `notify_*` functions inside their transaction; the
sweeps (`sweep_*`) run every five minutes from Celery beat, or once from `run_sweeps`. Every
message has a dedupe key, so whatever runs twice, a message exists (and goes out) once.
"""

import calendar
import logging
import re
import time as time_module
from datetime import datetime, time, timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from branches.models import StaffRole

from .models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    Notification,
    RetentionRun,
    ReturnVisit,
    Status,
)
from .sms import send_sms

logger = logging.getLogger(__name__)
DELIVER_TASK = "meetings.tasks.deliver_notification"
LEASE = timedelta(minutes=5)


# --- Writing messages -------------------------------------------------------------------


def _render(kind: str, context: dict, language: str, *, html: bool = True):
    with translation.override(language):
        subject = render_to_string(f"messages/{kind}-subject.txt", context).strip()
        text = render_to_string(f"messages/{kind}-body.txt", context).strip()
        body_html = render_to_string(f"messages/{kind}-body.html", context) if html else ""
    return " ".join(subject.split()), text, body_html


def _create(**fields) -> Notification | None:
    """Record a message unless one with its dedupe key exists; returns it when new."""
    try:
        with transaction.atomic():
            return Notification.objects.create(**fields)
    except IntegrityError:
        if Notification.objects.filter(dedupe_key=fields["dedupe_key"]).exists():
            return None
        raise


def _enqueue(ids: list[int]) -> None:
    """Hand the messages to Celery by task name (no import of the tasks module). A broker
    that does not answer is logged and left to the sweep."""
    task = current_app.tasks[DELIVER_TASK]
    for done, pk in enumerate(ids):
        try:
            task.apply_async((pk,), retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: the sweep delivers it later
            logger.warning(
                "could not enqueue notifications %s; the sweep will send them",
                ids[done:],
                exc_info=True,
            )
            return  # the broker is down: one timeout, not one per message


def enqueue_deliveries(ids: list[int]) -> None:
    """Deliver after the surrounding transaction commits; never fails the request."""
    ids = [pk for pk in ids if pk]

    def enqueue_after_commit():
        _enqueue(ids)

    if ids:
        transaction.on_commit(enqueue_after_commit, robust=True)


def _staff_message(kind, *, user, appeal, dedupe_key, context, deliver_after=None):
    subject, text, html = _render(kind, context, settings.LANGUAGE_CODE)
    return _create(
        kind=kind,
        channel=Notification.Channel.EMAIL if user.email else Notification.Channel.INBOX,
        user=user,
        recipient_name=user.get_full_name() or user.get_username(),
        address=user.email,
        appeal=appeal,
        subject=subject,
        text=text,
        html=html,
        dedupe_key=dedupe_key,
        deliver_after=deliver_after or timezone.now(),
        delivered_at=None if user.email else timezone.now(),
    )


def _named_message(kind, *, name, emails, appeal, dedupe_key, context):
    subject, text, html = _render(kind, context, settings.LANGUAGE_CODE)
    return _create(
        kind=kind,
        channel=Notification.Channel.EMAIL,
        recipient_name=name,
        address=emails,
        appeal=appeal,
        subject=subject,
        text=text,
        html=html,
        dedupe_key=dedupe_key,
        deliver_after=timezone.now(),
    )


def _appeal_url(appeal) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("track_detail", args=[appeal.display_code])


def _staff_url(appeal) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("admin:meetings_appeal_change", args=[appeal.pk])


def notify_resident(appeal: Appeal, event: str, *, stamp: str) -> None:
    """A text message to the resident when their appeal is acknowledged, resolved or closed.
    `stamp` makes the key unique per occasion (an appeal may be resolved twice)."""
    if not appeal.contact_phone:
        return
    with translation.override(appeal.language):
        text = render_to_string(
            f"messages/sms/{event}.txt",
            {"appeal": appeal, "url": _appeal_url(appeal), "code": appeal.display_code},
        ).strip()
    message = _create(
        kind=f"sms_{event}",
        channel=Notification.Channel.SMS,
        recipient_name=appeal.contact_name,
        address=appeal.contact_phone,
        appeal=appeal,
        subject=text[:200],
        text=text,
        dedupe_key=f"sms:{appeal.pk}:{event}:{stamp}",
        deliver_after=timezone.now(),
    )
    enqueue_deliveries([message.pk if message else None])


def notify_department(appeal: Appeal, *, stamp: str) -> None:
    department = appeal.department
    if department is None or not department.emails.strip():
        return
    message = _named_message(
        "referral",
        name=department.name,
        emails=department.emails,
        appeal=appeal,
        dedupe_key=f"referral:{appeal.pk}:{department.pk}:{stamp}",
        context={"appeal": appeal, "department": department, "url": _staff_url(appeal)},
    )
    enqueue_deliveries([message.pk if message else None])


# --- Working hours ----------------------------------------------------------------------


def in_working_hours(now: datetime) -> bool:
    return settings.WORKING_HOURS_START <= timezone.localtime(now).hour < settings.WORKING_HOURS_END


# --- Return-visit reminders -------------------------------------------------------------

STEPS = ["day_before", "due_day", "to_secretary", "to_staff"]


def reminder_times(due: datetime) -> list[datetime]:
    """When each reminder step falls due, for a return visit due at `due`: the start of
    working hours the day before and on the due day, then the two escalations."""
    day = timezone.localtime(due).date()
    start = time(settings.WORKING_HOURS_START % 24)
    return [
        timezone.make_aware(datetime.combine(day - timedelta(days=1), start)),
        timezone.make_aware(datetime.combine(day, start)),
        due + timedelta(days=settings.APPEAL_ESCALATE_SECRETARY_DAYS),
        due + timedelta(days=settings.APPEAL_ESCALATE_STAFF_DAYS),
    ]


def reminder_columns(due: datetime | None) -> dict:
    """The columns a move to resolved sets (and any move away clears)."""
    if due is None:
        return {"visit_reminder_step": 0, "next_reminder_at": None}
    return {"visit_reminder_step": 0, "next_reminder_at": reminder_times(due)[0]}


def _secretaries(appeal):
    User = get_user_model()
    users = User.objects.filter(
        is_active=True,
        staff_scope__role=StaffRole.BRANCH_SECRETARY,
        staff_scope__estate=appeal.estate_id,
    )
    if appeal.estate.secretary_id:
        users = users | User.objects.filter(pk=appeal.estate.secretary_id, is_active=True)
    return list(users.distinct())


def _community_staff(appeal):
    return list(
        get_user_model().objects.filter(
            is_active=True,
            staff_scope__role=StaffRole.COMMUNITY_STAFF,
            staff_scope__community=appeal.estate.community_id,
        )
    )


def _reminder_recipients(appeal, step):
    if step in ("day_before", "due_day"):
        if appeal.handler_id and appeal.handler.is_active:
            return [appeal.handler]
        return _secretaries(appeal) or _community_staff(appeal)
    if step == "to_secretary":
        return _secretaries(appeal) or _community_staff(appeal)
    return _community_staff(appeal)


def _send_reminder_step(appeal, step_index: int) -> list[int]:
    step = STEPS[step_index]
    kind = "visit_reminder" if step_index < 2 else "visit_escalation"
    context = {
        "appeal": appeal,
        "step": step,
        "due": appeal.return_visit_due_at,
        "url": _staff_url(appeal),
        "days_overdue": max(0, (timezone.now() - appeal.return_visit_due_at).days),
    }
    ids = []
    # Once per step for this due date: a new due date (extended, or resolved again after a
    # reopening) starts the reminders afresh.
    stamp = int(appeal.return_visit_due_at.timestamp())
    for user in _reminder_recipients(appeal, step):
        message = _staff_message(
            kind,
            user=user,
            appeal=appeal,
            context=context,
            dedupe_key=f"visit:{appeal.pk}:{stamp}:{step}:user:{user.pk}",
        )
        if message:
            ids.append(message.pk)
    return ids


def sweep_return_visit_reminders(now: datetime | None = None, limit: int = 500) -> int:
    """Send the return-visit reminder steps that have fallen due; returns how many steps
    were claimed. Each step of each appeal is claimed by one sweep only."""
    now = now or timezone.now()
    if not in_working_hours(now):
        return 0
    due = (
        Appeal.objects.filter(next_reminder_at__lte=now, status=Status.RESOLVED)
        .select_related("estate", "handler")
        .order_by("next_reminder_at")[:limit]
    )
    claimed = 0
    for appeal in due:
        step = appeal.visit_reminder_step
        if step >= len(STEPS) or appeal.return_visit_due_at is None:
            Appeal.objects.filter(pk=appeal.pk).update(next_reminder_at=None)
            continue
        times = reminder_times(appeal.return_visit_due_at)
        # Only the latest step that has fallen due: after a pause (the sweep stopped, or a
        # night) "due tomorrow" is not sent once it is already due today.
        while step + 1 < len(times) and times[step + 1] <= now:
            step += 1
        following = times[step + 1] if step + 1 < len(times) else None
        with transaction.atomic():
            won = Appeal.objects.filter(
                pk=appeal.pk,
                status=Status.RESOLVED,
                visit_reminder_step=appeal.visit_reminder_step,
                next_reminder_at=appeal.next_reminder_at,
            ).update(visit_reminder_step=step + 1, next_reminder_at=following)
            if not won:
                continue  # another sweep took it, or the appeal moved meanwhile
            enqueue_deliveries(_send_reminder_step(appeal, step))
        claimed += 1
    return claimed


# --- Daily digest of overdue appeals -----------------------------------------------------

DIGEST_STATUSES = [
    Status.RECEIVED,
    Status.REOPENED,
    Status.COORDINATING,
    Status.HEARING,
    Status.REFERRED,
    Status.IN_PROGRESS,
]


def sweep_digests(now: datetime | None = None) -> int:
    """Once a day, in working hours: one message per recipient listing their overdue
    appeals (handler, branch secretary; the department for referred ones)."""
    now = now or timezone.now()
    if not in_working_hours(now):
        return 0
    day = timezone.localtime(now).date().isoformat()
    overdue = (
        Appeal.objects.filter(next_due_at__lt=now, status__in=DIGEST_STATUSES)
        .select_related("estate", "handler", "department")
        .order_by("next_due_at")
    )
    by_user: dict[int, tuple] = {}
    by_department: dict[int, tuple] = {}
    secretaries: dict[int, list] = {}
    for appeal in overdue.iterator(chunk_size=500):
        recipients = []
        if appeal.handler_id and appeal.handler.is_active:
            recipients.append(appeal.handler)
        if appeal.estate_id not in secretaries:
            secretaries[appeal.estate_id] = _secretaries(appeal)
        recipients += secretaries[appeal.estate_id]
        for user in recipients:
            by_user.setdefault(user.pk, (user, []))[1].append(appeal)
        if appeal.status == Status.REFERRED and appeal.department_id:
            by_department.setdefault(appeal.department_id, (appeal.department, []))[1].append(
                appeal
            )
    ids = []
    with transaction.atomic():
        for user, appeals in by_user.values():
            message = _staff_message(
                "digest",
                user=user,
                appeal=None,
                dedupe_key=f"digest:{day}:user:{user.pk}",
                context={"appeals": _unique(appeals), "day": day, "site": settings.SITE_URL},
            )
            ids.append(message.pk if message else None)
        for department, appeals in by_department.values():
            if not department.emails.strip():
                continue
            message = _named_message(
                "digest",
                name=department.name,
                emails=department.emails,
                appeal=None,
                dedupe_key=f"digest:{day}:department:{department.pk}",
                # never the tracking codes: they are the residents' keys to their appeals
                context={
                    "appeals": appeals,
                    "day": day,
                    "site": settings.SITE_URL,
                    "for_department": True,
                },
            )
            ids.append(message.pk if message else None)
        enqueue_deliveries(ids)
    return len([pk for pk in ids if pk])


def _unique(appeals):
    seen, out = set(), []
    for appeal in appeals:
        if appeal.pk not in seen:
            seen.add(appeal.pk)
            out.append(appeal)
    return out


# --- Delivery ---------------------------------------------------------------------------


class DeliveryFailed(Exception):
    pass


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send one e-mail or text message, once. Returns True when this call sent it; False
    when there was nothing to do (sent already, being sent, or gone). Raises DeliveryFailed
    after recording the error and when to try again."""
    now = now or timezone.now()
    claimed = (
        Notification.objects.filter(
            pk=notification_id,
            delivered_at__isnull=True,
            channel__in=[Notification.Channel.EMAIL, Notification.Channel.SMS],
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS)
        .update(claimed_until=now + LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    message = Notification.objects.get(pk=notification_id)
    try:
        if message.channel == Notification.Channel.SMS:
            send_sms(message.address, message.text)
        else:
            recipients = [a.strip() for a in message.address.split(",") if a.strip()]
            mail = EmailMultiAlternatives(message.subject, message.text, to=recipients)
            if message.html:
                mail.attach_alternative(message.html, "text/html")
            mail.send()
    except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
        wait = timedelta(minutes=2 ** min(message.attempts, 8))
        Notification.objects.filter(pk=message.pk).update(
            claimed_until=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            deliver_after=now + wait,
        )
        logger.warning("notification %s: delivery failed (%s)", message.pk, error)
        raise DeliveryFailed(str(error)) from error
    # It went out: record that, trying again if the database hiccups, so that the lease
    # running out does not send it a second time.
    for attempt in range(3):
        try:
            Notification.objects.filter(pk=message.pk).update(
                delivered_at=timezone.now(), claimed_until=None, last_error=""
            )
            break
        except DatabaseError:
            if attempt == 2:
                logger.exception("notification %s sent but not marked delivered", message.pk)
                raise
            time_module.sleep(0.5 * (attempt + 1))
    return True


def sweep_undelivered(now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue the e-mails and texts whose task was lost (broker down) or failed and whose
    retry time has come; returns how many were handed on."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            delivered_at__isnull=True,
            channel__in=[Notification.Channel.EMAIL, Notification.Channel.SMS],
            deliver_after__lte=now,
            attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("deliver_after")
        .values_list("pk", flat=True)[:limit]
    )
    _enqueue(ids)
    return len(ids)


def notifications_mark_read(*, user, ids) -> int:
    return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Retention --------------------------------------------------------------------------


def months_before(now: datetime, months: int) -> datetime:
    """The same local time `months` calendar months earlier (the 31st becomes the month's
    last day)."""
    local = timezone.localtime(now)
    year, month0 = divmod(local.year * 12 + local.month - 1 - months, 12)
    day = min(local.day, calendar.monthrange(year, month0 + 1)[1])
    return local.replace(year=year, month=month0 + 1, day=day)


MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _scrub(text: str) -> str:
    return MOBILE_IN_TEXT.sub("1**********", text)


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
