"""Reminders before a group commitment's due date (小组亮承诺).

The commitment services (branches.commitments) set `remind_at` — COMMITMENT_REMINDER_DAYS
before the due date, 09:00 local time — when a commitment is made or its due date changes,
and clear it when it is verified. This sweep claims each reminder that has fallen due with a
conditional UPDATE on the very values it read (the time, the due date, not verified), so of
two sweeps at once one sends it, then tells:
- the group's leader, a party member without an account, by text message (when the member
  has a phone), key `commitment:<id>:due:<date>:member:<id>`;
- the estate's branch secretaries, in the admin (and by e-mail when they have an address),
  key `commitment:<id>:due:<date>:user:<id>`.
The keys make it once per commitment and due date whatever happens; a new due date is
reminded again. Leaders and secretaries are read for the whole batch in three queries."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from branches.models import Commitment, Member
from branches.queries import secretaries_by_estate
from meetings.messaging import enqueue_deliveries, message_member, message_staff_user, site_url
from meetings.models import Notification
from meetings.reminders import in_working_hours

KIND = Notification.Kind.COMMITMENT_REMINDER


def _context(commitment: Commitment, now: datetime) -> dict:
    return {
        "commitment": commitment,
        "due": commitment.due_on,
        "days_left": (commitment.due_on - timezone.localdate(now)).days,
        "group": commitment.group.name,
        "estate": commitment.group.estate.name,
        "url": site_url(reverse("admin:branches_commitment_change", args=[commitment.pk])),
    }


def sweep_commitment_reminders(now: datetime | None = None, limit: int = 500) -> int:
    """Send the commitment reminders that have fallen due (in working hours); returns how
    many commitments this sweep claimed."""
    now = now or timezone.now()
    if not in_working_hours(now):
        return 0
    due = list(
        Commitment.objects.filter(remind_at__lte=now, verified_at__isnull=True)
        .select_related("group__estate")
        .order_by("remind_at")[:limit]
    )
    if not due:
        return 0
    leaders = {
        m.group_id: m
        for m in Member.objects.filter(
            group__in={c.group_id for c in due}, is_leader=True, active=True
        )
    }
    secretaries = secretaries_by_estate({c.group.estate_id for c in due})
    claimed, ids = 0, []
    for commitment in due:
        with transaction.atomic():
            won = Commitment.objects.filter(
                pk=commitment.pk,
                remind_at=commitment.remind_at,
                due_on=commitment.due_on,
                verified_at__isnull=True,
            ).update(remind_at=None)
            if not won:
                continue  # another sweep sent it, or it was verified or moved meanwhile
            claimed += 1
            stamp = f"commitment:{commitment.pk}:due:{commitment.due_on:%Y-%m-%d}"
            context = _context(commitment, now)
            leader = leaders.get(commitment.group_id)
            if leader is not None and leader.phone:
                message = message_member(
                    KIND,
                    name=leader.name,
                    phone=leader.phone,
                    dedupe_key=f"{stamp}:member:{leader.pk}",
                    context=context,
                )
                ids.append(message.pk if message else None)
            for user in secretaries.get(commitment.group.estate_id, []):
                message = message_staff_user(
                    KIND, user=user, dedupe_key=f"{stamp}:user:{user.pk}", context=context
                )
                ids.append(message.pk if message else None)
    enqueue_deliveries(ids)
    return claimed
