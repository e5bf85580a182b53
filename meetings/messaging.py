"""Messages: who is told what, recorded before anything is sent, delivered by small tasks
after commit, and found again by the five-minute sweep when a task was lost or failed.

The moves in meetings.services call the `notify_*` functions inside their transaction; other
parts (reminders, the year end) record a message to a staff user or to a named recipient (a
department, the county performance office, the town committee) through `message_staff_user`
and `message_named_recipient`. Every message has a dedupe key, so whatever runs twice, a
message exists (and goes out) once.
"""

import contextlib
import logging
import mimetypes
import re
import time as time_module
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.template import Context, engines
from django.template.base import TokenType, render_value_in_context
from django.template.loader import render_to_string
from django.templatetags.i18n import BlockTranslateNode
from django.urls import reverse
from django.utils import timezone, translation

from branches.queries import language_of

from .models import Appeal, Notification
from .sms import send_sms

logger = logging.getLogger(__name__)
DELIVER_TASK = "meetings.tasks.deliver_notification"
# What may not stand in the left part of a Message-ID (RFC 5322 atext), such as ":".
NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")


def claim_lease() -> timedelta:
    """How long a worker holds its claim on a message while sending it: once it runs out
    (the worker died mid-send) the sweep hands the message on again."""
    return timedelta(seconds=settings.NOTIFICATION_CLAIM_SECONDS)


# --- Writing messages -------------------------------------------------------------------


def render_text(name: str, context: dict) -> str:
    """A plain-text template (a subject, an e-mail's text, an SMS) without HTML escaping: a
    title "A&B" is texted as A&B, a link keeps its "&"."""
    template = engines["django"].engine.get_template(name)
    return template.render(Context(context, autoescape=False)).strip()


def _blocktranslates(template):
    return template.nodelist.get_nodes_by_type(BlockTranslateNode)


def template_variables(name: str) -> list[str]:
    """The names a text template's `{% blocktranslate %}` fills in, in order of first use:
    the parameters a provider's pre-approved copy of that text is given."""
    names = []
    template = engines["django"].engine.get_template(name)
    for node in _blocktranslates(template):
        for token in node.singular:
            if token.token_type == TokenType.VAR and token.contents not in names:
                names.append(token.contents)
    return names


def render_sms(name: str, context: dict) -> tuple[str, dict[str, str]]:
    """A text message from its template, and the values its `{% blocktranslate %}` filled
    in, by name, each as the text shows it (`{"code": "A1B2-C3D4", "url": …}`): a provider
    that sends only pre-approved templates is given these instead of the text."""
    template = engines["django"].engine.get_template(name)
    context = Context(context, autoescape=False)
    text = template.render(context).strip()
    params = {}
    with context.bind_template(template):
        for node in _blocktranslates(template):
            extra = {var: value.resolve(context) for var, value in node.extra_context.items()}
            with context.push(extra):
                for token in node.singular:
                    if token.token_type == TokenType.VAR:
                        value = context.get(token.contents, "")
                        params[token.contents] = str(render_value_in_context(value, context))
    return text, params


def sms_template(kind: str) -> str:
    """The template of a text message of this kind: a resident's `sms_<event>` is
    `messages/sms/<event>.txt`, a party member's `<kind>` `messages/member_sms/<kind>.txt`."""
    if kind.startswith("sms_"):
        return f"messages/sms/{kind.removeprefix('sms_')}.txt"
    return f"messages/member_sms/{kind}.txt"


def _render(kind: str, context: dict, language: str, *, html: bool = True):
    with translation.override(language):
        subject = render_text(f"messages/{kind}-subject.txt", context)
        text = render_text(f"messages/{kind}-body.txt", context)
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


# Inside `handovers_watched()`: each message handed to Celery → whether its last hand-over
# failed. None elsewhere (a request only logs a failure).
_handovers: ContextVar[dict[int, bool] | None] = ContextVar("handovers", default=None)


@contextmanager
def handovers_watched():
    """Within the block, note which messages could not be handed to Celery; yields a
    function returning their ids (a message handed over later in the block is not among
    them). For `run_sweeps`, which must say so and fail where cron sees it."""
    outcomes: dict[int, bool] = {}
    token = _handovers.set(outcomes)
    try:
        yield lambda: sorted(pk for pk, failed in outcomes.items() if failed)
    finally:
        _handovers.reset(token)


def _enqueue(ids: list[int]) -> list[int]:
    """Hand the messages to Celery by task name (no import of the tasks module). A broker
    that does not answer is logged and left to the sweep; returns the ids not handed over."""
    task = current_app.tasks[DELIVER_TASK]
    outcomes = _handovers.get()
    for done, pk in enumerate(ids):
        try:
            task.apply_async((pk,), retry=False)
        except Exception:  # noqa: BLE001 - any broker failure: the sweep delivers it later
            logger.warning(
                "could not enqueue notifications %s; the sweep will send them",
                ids[done:],
                exc_info=True,
            )
            if outcomes is not None:
                outcomes.update(dict.fromkeys(ids[done:], True))
            return ids[done:]  # the broker is down: one timeout, not one per message
        if outcomes is not None:
            outcomes[pk] = False
    return []


def enqueue_deliveries(ids: list[int]) -> None:
    """Deliver after the surrounding transaction commits; never fails the request."""
    ids = [pk for pk in ids if pk]

    def enqueue_after_commit():
        _enqueue(ids)

    if ids:
        transaction.on_commit(enqueue_after_commit, robust=True)


def _record(kind: str, context, language: str, **fields) -> Notification | None:
    """Claim the message's dedupe key by recording it, then render it into that row, in one
    transaction: whoever loses the claim renders nothing. `context` is a dict, or a function
    returning one, called only once the claim is won (a costly context is built once)."""
    with transaction.atomic():
        message = _create(kind=kind, subject="", text="", **fields)
        if message is None:
            return None
        message.subject, message.text, message.html = _render(
            kind, context() if callable(context) else context, language
        )
        message.save(update_fields=["subject", "text", "html"])
    return message


def message_staff_user(kind, *, user, dedupe_key, context, appeal=None, deliver_after=None):
    """Record a message to a staff user: read in the admin's inbox, and mailed too when the
    user has an e-mail address. Returns the new message, or None when its key exists; the
    caller hands new ones to `enqueue_deliveries`. Written in the language the user chose
    with the language switch (Chinese unless they chose another)."""
    return _record(
        kind,
        context,
        language_of(user),
        channel=Notification.Channel.EMAIL if user.email else Notification.Channel.INBOX,
        user=user,
        recipient_name=user.get_full_name() or user.get_username(),
        address=user.email,
        appeal=appeal,
        dedupe_key=dedupe_key,
        deliver_after=deliver_after or timezone.now(),
        delivered_at=None if user.email else timezone.now(),
    )


def attachment_store(*, content: bytes, name: str) -> str:
    """Keep a file to be mailed (bytes made by the caller, e.g. the year end's PDF) in the
    private storage; returns its stored name, for `message_named_recipient(attachment=)`.
    Several messages may share it."""
    field = Notification._meta.get_field("attachment")
    return field.storage.save(field.generate_filename(None, name), ContentFile(content))


def message_named_recipient(
    kind, *, name, emails, dedupe_key, context, appeal=None, attachment="", attachment_name=""
):
    """Record an e-mail to a named recipient that is not a user (a department, the county
    performance office, the town committee), optionally with a file kept by
    `attachment_store`. Returns the new message, or None when its key exists; the caller
    hands new ones to `enqueue_deliveries`."""
    return _record(
        kind,
        context,
        settings.LANGUAGE_CODE,
        channel=Notification.Channel.EMAIL,
        recipient_name=name,
        address=emails,
        appeal=appeal,
        dedupe_key=dedupe_key,
        deliver_after=timezone.now(),
        attachment=attachment,
        attachment_name=attachment_name,
    )


def site_url(path: str) -> str:
    """A path of this site as a full link, for a message read outside it."""
    return settings.SITE_URL.rstrip("/") + path


def _appeal_url(appeal) -> str:
    return site_url(reverse("track_detail", args=[appeal.display_code]))


def staff_url(appeal) -> str:
    return site_url(reverse("admin:meetings_appeal_change", args=[appeal.pk]))


def notify_resident(appeal: Appeal, event: str, *, stamp: str) -> None:
    """A text message to the resident when their appeal is acknowledged, resolved or closed.
    `stamp` makes the key unique per occasion (an appeal may be resolved twice)."""
    if not appeal.contact_phone:
        return
    with translation.override(appeal.language):
        text, params = render_sms(
            sms_template(f"sms_{event}"),
            {"appeal": appeal, "url": _appeal_url(appeal), "code": appeal.display_code},
        )
    message = _create(
        kind=f"sms_{event}",
        channel=Notification.Channel.SMS,
        recipient_name=appeal.contact_name,
        address=appeal.contact_phone,
        appeal=appeal,
        subject=text[:200],
        text=text,
        params=params,
        dedupe_key=f"sms:{appeal.pk}:{event}:{stamp}",
        deliver_after=timezone.now(),
    )
    enqueue_deliveries([message.pk if message else None])


def notify_department(appeal: Appeal, *, stamp: str) -> None:
    department = appeal.department
    if department is None or not department.emails.strip():
        return
    message = message_named_recipient(
        "referral",
        name=department.name,
        emails=department.emails,
        appeal=appeal,
        dedupe_key=f"referral:{appeal.pk}:{department.pk}:{stamp}",
        context={"appeal": appeal, "department": department, "url": staff_url(appeal)},
    )
    enqueue_deliveries([message.pk if message else None])


def message_member(kind, *, name, phone, dedupe_key, context) -> Notification | None:
    """Record a text message to a party member (a group leader: members have no account),
    from `messages/member_sms/<kind>.txt` (`sms/` holds the residents' texts), in Chinese.
    Returns the new message, or None when its key exists; the caller hands new ones to
    `enqueue_deliveries`."""
    with translation.override(settings.LANGUAGE_CODE):
        text, params = render_sms(sms_template(kind), context)
    return _create(
        kind=kind,
        channel=Notification.Channel.SMS,
        recipient_name=name,
        address=phone,
        subject=text[:200],
        text=text,
        params=params,
        dedupe_key=dedupe_key,
        deliver_after=timezone.now(),
    )


# --- Delivery ---------------------------------------------------------------------------


class DeliveryFailed(Exception):
    pass


def message_id(key: str) -> str:
    """An e-mail's Message-ID from the message's unique key: the same for every attempt, so
    a mail sent again after a worker died is marked as the same message. The domain is the
    sender's, not the host's, so that every worker machine gives the same one."""
    local = ".".join(part for part in NOT_ATEXT.split(key) if part) or "message"
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" <>") or "localhost"
    return f"<{local}@{domain}>"


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
        .update(claimed_until=now + claim_lease(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    message = Notification.objects.get(pk=notification_id)
    try:
        if message.channel == Notification.Channel.SMS:
            send_sms(
                message.address,
                message.text,
                key=message.dedupe_key,
                kind=message.kind,
                params=message.params,
            )
        else:
            recipients = [a.strip() for a in message.address.split(",") if a.strip()]
            mail = EmailMultiAlternatives(
                message.subject,
                message.text,
                to=recipients,
                headers={"Message-ID": message_id(message.dedupe_key)},
            )
            if message.html:
                mail.attach_alternative(message.html, "text/html")
            if message.attachment:
                name = message.attachment_name or message.attachment.name.rpartition("/")[2]
                with message.attachment.open("rb") as file:
                    content = file.read()
                kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
                mail.attach(name, content, kind)
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


def deliver_after_commit(ids: list[int]) -> None:
    """Send these messages from this process once the surrounding transaction commits: for a
    worker task that has just recorded them (the year end's hundreds of documents), a task
    per message would cost more than the sending. As that task does, a failure is recorded
    with its retry time and the sweep retries it; a process that dies first leaves them to
    the sweep too."""
    ids = [pk for pk in ids if pk]

    def send():
        for pk in ids:
            with contextlib.suppress(DeliveryFailed):
                notification_deliver(notification_id=pk)

    if ids:
        transaction.on_commit(send, robust=True)


def sweep_undelivered(now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue the e-mails and texts whose task was lost (broker down) or failed and whose
    retry time has come; returns how many were handed on (none when the broker is down)."""
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
    return len(ids) - len(_enqueue(ids))


def notifications_mark_read(*, user, ids) -> int:
    return Notification.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
