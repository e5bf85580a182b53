"""Reminders: the return-visit reminder steps of each resolved appeal, and one daily digest
of overdue appeals per recipient. Both are swept every five minutes (in working hours) and
claimed with a conditional UPDATE or a unique key, so two sweeps never send one twice."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from branches.queries import community_staff_by_community, secretaries_by_estate

from .messaging import (
    enqueue_deliveries,
    message_named_recipient,
    message_staff_user,
    site_url,
    staff_url,
)
from .models import Appeal, Department, Notification, Status
from .queries import overdue_filter

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


class _StaffOfPlaces:
    """The secretaries and community staff of the due appeals' estates and communities,
    read once per sweep (with their language), not once per appeal."""

    def __init__(self, appeals):
        self.secretaries = secretaries_by_estate({a.estate_id for a in appeals})
        self.community_staff = community_staff_by_community(
            {a.estate.community_id for a in appeals}
        )

    def recipients(self, appeal, step) -> list:
        secretaries = self.secretaries[appeal.estate_id]
        staff = self.community_staff[appeal.estate.community_id]
        if step in ("day_before", "due_day"):
            if appeal.handler_id and appeal.handler.is_active:
                return [appeal.handler]
            return secretaries or staff
        if step == "to_secretary":
            return secretaries or staff
        return staff


def _send_reminder_step(appeal, step_index: int, places: _StaffOfPlaces) -> list[int]:
    step = STEPS[step_index]
    kind = "visit_reminder" if step_index < 2 else "visit_escalation"
    context = {
        "appeal": appeal,
        "step": step,
        "due": appeal.return_visit_due_at,
        "url": staff_url(appeal),
        "days_overdue": max(0, (timezone.now() - appeal.return_visit_due_at).days),
    }
    ids = []
    # Once per step for this due date: a new due date (extended, or resolved again after a
    # reopening) starts the reminders afresh.
    stamp = int(appeal.return_visit_due_at.timestamp())
    for user in places.recipients(appeal, step):
        message = message_staff_user(
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
    due = list(
        Appeal.objects.filter(next_reminder_at__lte=now, status=Status.RESOLVED)
        .select_related("estate", "handler__staff_preference")
        .order_by("next_reminder_at")[:limit]
    )
    places = _StaffOfPlaces(due)
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
            enqueue_deliveries(_send_reminder_step(appeal, step, places))
        claimed += 1
    return claimed


# --- Daily digest of overdue appeals -----------------------------------------------------


DIGEST_LIST_SIZE = 50


def _digest_groups(overdue):
    """Who has overdue appeals, from one grouped query over the overdue rows (whatever their
    number): per handler, per estate (for its secretaries) and per department (referred)."""
    handlers: dict[int, int] = defaultdict(int)
    estates: dict[int, int] = defaultdict(int)
    departments: dict[int, int] = defaultdict(int)
    rows = (
        overdue.order_by()
        .values_list("handler", "estate", "department", "status")
        .annotate(n=Count("pk"))
    )
    for handler, estate, department, status, n in rows:
        if handler:
            handlers[handler] += n
        estates[estate] += n
        if department and status == Status.REFERRED:
            departments[department] += n
    return handlers, estates, departments


def sweep_digests(now: datetime | None = None) -> int:
    """Once a day, in working hours: one message per recipient about their overdue appeals
    (as handler, as branch secretary; the department for referred ones): how many, the
    DIGEST_LIST_SIZE most overdue, and a link to the whole filtered list.

    Each recipient's digest of the day is claimed (its row with the unique key) before it is
    rendered, so a sweep every five minutes renders nothing once the day's digests exist."""
    now = now or timezone.now()
    if not in_working_hours(now):
        return 0
    day = timezone.localtime(now).date().isoformat()
    overdue = Appeal.objects.filter(overdue_filter(now))  # the work queue's "overdue"
    handlers, estates, departments = _digest_groups(overdue)

    users: dict[int, dict] = {}  # user id → {"user", "handler": bool, "estates": [ids]}
    for estate_id, secretaries in secretaries_by_estate(estates).items():
        for user in secretaries:
            users.setdefault(user.pk, {"user": user, "handler": False, "estates": []})
            users[user.pk]["estates"].append(estate_id)
    active_handlers = get_user_model().objects.filter(pk__in=handlers, is_active=True)
    active_handlers = active_handlers.select_related("staff_preference")
    for user in active_handlers.exclude(pk__in=users):
        users[user.pk] = {"user": user, "handler": True, "estates": []}
    for pk in handlers:
        if pk in users:
            users[pk]["handler"] = True

    keys = {f"digest:{day}:user:{pk}": ("user", pk) for pk in users}
    keys.update({f"digest:{day}:department:{pk}": ("department", pk) for pk in departments})
    done = set(
        Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    todo = [(key, kind, pk) for key, (kind, pk) in keys.items() if key not in done]
    if not todo:
        return 0
    department_rows = {d.pk: d for d in Department.objects.filter(pk__in=departments)}
    ids = []
    for key, kind, pk in todo:
        if kind == "user":
            ids.append(_user_digest(key, users[pk], overdue, day))
        else:
            ids.append(_department_digest(key, department_rows[pk], overdue, day))
    return len([pk for pk in ids if pk])


def _user_digest(key, recipient, overdue, day):
    user = recipient["user"]
    mine = Q(estate__in=recipient["estates"])
    if recipient["handler"]:
        mine |= Q(handler=user)
    appeals = overdue.filter(mine)
    # The work queue the digest counts: a secretary's (its scope) holds all of the estate's;
    # a handler's is filtered to the appeals it handles.
    query = "queue=overdue"
    if not recipient["estates"]:
        query += f"&handler__id__exact={user.pk}"
    return _claim_and_render(
        key,
        appeals,
        day,
        lambda context: message_staff_user(
            "digest", user=user, appeal=None, dedupe_key=key, context=context
        ),
        link=f"{site_url(reverse('admin:meetings_appeal_changelist'))}?{query}",
    )


def _department_digest(key, department, overdue, day):
    if not department.emails.strip():
        return None
    return _claim_and_render(
        key,
        overdue.filter(status=Status.REFERRED, department=department),
        day,
        lambda context: message_named_recipient(
            "digest",
            name=department.name,
            emails=department.emails,
            dedupe_key=key,
            context=context,
        ),
        # never the tracking codes nor the staff list: a department has neither
        for_department=True,
    )


def _claim_and_render(key, appeals, day, record, *, link="", for_department=False):
    """Record the digest; its context (the count and the most overdue appeals) is built only
    once the day's key for this recipient is claimed."""

    def context():
        return {
            "day": day,
            "count": appeals.count(),
            "appeals": list(
                appeals.select_related("estate").order_by("next_due_at", "pk")[:DIGEST_LIST_SIZE]
            ),
            "link": link,
            "for_department": for_department,
        }

    with transaction.atomic():
        message = record(context)
        if message is None:
            return None
        enqueue_deliveries([message.pk])
        return message.pk
