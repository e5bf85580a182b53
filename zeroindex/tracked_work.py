"""Tracked work: something an owner (a staff member of the estate or its community) does by
a due date, open → in progress → done, or dropped with a reason. Two kinds today: the Five
Zeros' survey tasks (zeroindex) and the rectification measures of a branch's annual report
(governance, which may import zeroindex; the reverse never). One mechanism for both:

- each move guards the current status (and whatever else it read: the owner, the due date)
  with a conditional UPDATE, so of two clerks moving the same piece of work one wins and the
  other is told; the move's event (from, to, what changed) is written in the same
  transaction;
- `remind_at` is the reminder's due work: `SURVEY_TASK_REMINDER_DAYS` (one setting for
  both kinds) before the due date at 09:00, cleared when the work is finished, set afresh
  with a new owner or due date; `sweep_reminders` claims each due reminder with a
  conditional UPDATE on the values it read and messages the owner once per piece of work,
  due date and owner (the dedupe key).

A kind names its model (columns status, owner, due_on, drop_reason, done_at, remind_at),
its event model, who may move it, and its words; the services of each app are thin
wrappers that name the kind."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.messaging import enqueue_deliveries, message_staff_user
from meetings.moves import MoveRefused, Refusal
from meetings.reminders import in_working_hours

REMIND_AT_HOUR = time(9)


@dataclass(frozen=True)
class Words:
    """What a refusal says about this kind of work (each a gettext_lazy string)."""

    already: str  # "… is already %(status)s."
    changed: str  # someone moved it meanwhile
    drop_reason: str  # a drop needs a reason
    same_owner: str
    same_due: str


@dataclass(frozen=True)
class TrackedKind:
    model: type[models.Model]
    event_model: type[models.Model]  # actor, created_at, from_status, to_status, data
    event_field: str  # the event's foreign key to the work ("task", "measure")
    open: str  # the status of new work (start moves from it)
    in_progress: str
    done: str
    dropped: str
    # may(by, work): raise MoveRefused unless `by` may move this work (None: the seed)
    may: Callable
    words: Words
    # the reminder: its Notification kind, its dedupe key's prefix, the sweep's joins
    notification: str
    key: str
    related: tuple = ()

    @property
    def unfinished(self) -> tuple[str, str]:
        return (self.open, self.in_progress)


def remind_at(due_on: date) -> datetime:
    """When the owner is reminded: SURVEY_TASK_REMINDER_DAYS before the due date, 09:00 local
    time (already past for work due sooner: the next sweep sends it)."""
    day = due_on - timedelta(days=settings.SURVEY_TASK_REMINDER_DAYS)
    return timezone.make_aware(datetime.combine(day, REMIND_AT_HOUR))


def check_due(due_on: date, now: datetime) -> None:
    if due_on is None or due_on < timezone.localdate(now):
        raise MoveRefused(_("The due date cannot be in the past."), Refusal.INVALID)


def check_owner(owner, estate) -> None:
    from .queries import task_owners_for

    if owner is None or not task_owners_for(estate=estate).filter(pk=owner.pk).exists():
        raise MoveRefused(
            _("The owner must be a staff member working in this estate or its community."),
            Refusal.INVALID,
        )


def record(kind: TrackedKind, work, by, *, now, from_status: str, to_status: str, data: dict):
    """The event of a move (or of the work's making, from_status "")."""
    return kind.event_model.objects.create(
        **{kind.event_field: work},
        actor=by,
        created_at=now,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )


def move(
    kind: TrackedKind,
    work,
    by,
    *,
    now: datetime,
    to: str | None = None,
    fields: dict,
    data: dict,
    extra_filter: dict | None = None,
):
    """Apply a move to unfinished work if it still is (and still matches extra_filter);
    write its event; the refreshed work. Call inside a transaction."""
    kind.may(by, work)
    won = kind.model.objects.filter(
        pk=work.pk, status__in=kind.unfinished, **(extra_filter or {})
    ).update(**({"status": to} if to else {}), **fields)
    if not won:
        work.refresh_from_db()
        wanted = (extra_filter or {}).get("status")
        if work.status not in kind.unfinished or (wanted and work.status != wanted):
            raise MoveRefused(
                str(kind.words.already) % {"status": work.get_status_display()},
                Refusal.CONFLICT,
            )
        raise MoveRefused(str(kind.words.changed), Refusal.CONFLICT)
    old = work.status
    record(kind, work, by, now=now, from_status=old, to_status=to or old, data=data)
    work.refresh_from_db()
    return work


@transaction.atomic
def start(kind: TrackedKind, work, *, by=None, at: datetime | None = None):
    """Work has begun on open work."""
    return move(
        kind,
        work,
        by,
        now=at or timezone.now(),
        to=kind.in_progress,
        fields={},
        data={},
        extra_filter={"status": kind.open},
    )


@transaction.atomic
def done(kind: TrackedKind, work, *, note: str = "", by=None, at: datetime | None = None):
    """The work is done (no more reminders)."""
    now = at or timezone.now()
    data = {"note": note.strip()} if note and note.strip() else {}
    return move(
        kind, work, by, now=now, to=kind.done, fields={"done_at": now, "remind_at": None}, data=data
    )


@transaction.atomic
def drop(kind: TrackedKind, work, *, reason: str, by=None, at: datetime | None = None):
    """The work will not be done, and why."""
    reason = (reason or "").strip()
    if not reason:
        raise MoveRefused(str(kind.words.drop_reason), Refusal.INVALID)
    now = at or timezone.now()
    return move(
        kind,
        work,
        by,
        now=now,
        to=kind.dropped,
        fields={"done_at": now, "remind_at": None, "drop_reason": reason},
        data={"reason": reason},
    )


@transaction.atomic
def reassign(kind: TrackedKind, work, *, owner, estate, by=None, at: datetime | None = None):
    """Give the work to another owner, who is reminded afresh before the due date."""
    kind.may(by, work)
    check_owner(owner, estate)
    if owner.pk == work.owner_id:
        raise MoveRefused(str(kind.words.same_owner), Refusal.INVALID)
    return move(
        kind,
        work,
        by,
        now=at or timezone.now(),
        fields={"owner": owner, "remind_at": remind_at(work.due_on)},
        data={"owner": owner.pk, "previous_owner": work.owner_id},
        extra_filter={"owner": work.owner_id},
    )


@transaction.atomic
def set_due(kind: TrackedKind, work, *, due_on: date, by=None, at: datetime | None = None):
    """A new due date; the reminder moves with it (and is sent again for the new date)."""
    now = at or timezone.now()
    kind.may(by, work)
    check_due(due_on, now)
    if due_on == work.due_on:
        raise MoveRefused(str(kind.words.same_due), Refusal.INVALID)
    return move(
        kind,
        work,
        by,
        now=now,
        fields={"due_on": due_on, "remind_at": remind_at(due_on)},
        data={"due_on": due_on.isoformat(), "previous_due_on": work.due_on.isoformat()},
        extra_filter={"due_on": work.due_on},
    )


def is_overdue(kind: TrackedKind, work) -> bool:
    return work.status in kind.unfinished and work.due_on < timezone.localdate()


def overdue_q(kind: TrackedKind, prefix: str = "") -> models.Q:
    """Unfinished work past its due date, as a filter (`prefix` for a related query)."""
    return models.Q(
        **{f"{prefix}status__in": kind.unfinished, f"{prefix}due_on__lt": timezone.localdate()}
    )


def sweep_reminders(
    kind: TrackedKind, *, context: Callable, now: datetime | None = None, limit: int = 500
) -> int:
    """Send this kind's reminders that have fallen due (in working hours); returns how many
    this sweep claimed. `context(work, now)` is the message's template context."""
    now = now or timezone.now()
    if not in_working_hours(now):
        return 0
    due = list(
        kind.model.objects.filter(remind_at__lte=now, status__in=kind.unfinished)
        .select_related("owner__staff_preference", *kind.related)
        .order_by("remind_at")[:limit]
    )
    claimed, ids = 0, []
    for work in due:
        with transaction.atomic():
            won = kind.model.objects.filter(
                pk=work.pk,
                remind_at=work.remind_at,
                owner=work.owner_id,
                due_on=work.due_on,
                status__in=kind.unfinished,
            ).update(remind_at=None)
            if not won:
                continue  # another sweep sent it, or the work moved meanwhile
            claimed += 1
            if not work.owner.is_active:
                continue
            message = message_staff_user(
                kind.notification,
                user=work.owner,
                dedupe_key=f"{kind.key}:{work.pk}:due:{work.due_on:%Y-%m-%d}:user:{work.owner_id}",
                context=lambda work=work: context(work, now),
            )
            if message:
                ids.append(message.pk)
    enqueue_deliveries(ids)
    return claimed
