"""Reminders of overdue organisational life: each branch whose expected meeting (its own, or
one of its building groups') was not held in the last completed period
(`branches.queries.org_life_overdue`) has its secretary told, once per period.

Periods end at local midnight on the first of a month, so every overdue item has the day its
period closed (`end`). The sweep groups a branch's items by that day and writes one message
per branch, closing day and secretary, keyed `orglife:estate:<id>:closed:<date>:user:<id>`:
on 1 April a branch that missed March's committee meeting and Q1's members' meeting gets one
message naming both; in May, Q1 is still the last completed quarter, but its day (1 April)
was reminded already. Keys already sent are read in one query, so a sweep that runs every
five minutes (run_sweeps) records nothing new and costs a few queries. A meeting recorded
late clears the item from the pages; a message sent stays sent.

Who is told: the estate's branch secretaries (`secretaries_by_estate`: the staff with a
secretary's scope there and the secretary named on the estate); a branch without one, its
community's staff, as the return-visit reminders do. Only in working hours."""

from collections import defaultdict
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from branches.queries import (
    community_staff_by_community,
    org_life_overdue,
    secretaries_by_estate,
)
from meetings.messaging import enqueue_deliveries, message_staff_user, site_url
from meetings.models import Notification
from meetings.reminders import in_working_hours


def _key(estate_id: int, closed, user_id: int) -> str:
    return f"orglife:estate:{estate_id}:closed:{closed:%Y-%m-%d}:user:{user_id}"


def sweep_org_life_reminders(now: datetime | None = None) -> int:
    """Remind the secretaries (else the community's staff) of branches with overdue
    meetings; returns the messages sent."""
    now = now or timezone.now()
    if not in_working_hours(now):
        return 0
    items = defaultdict(list)
    for item in org_life_overdue(now=now):
        items[(item.estate_id, item.end.date())].append(item)
    if not items:
        return 0
    secretaries = secretaries_by_estate({estate_id for estate_id, _closed in items})
    staff = community_staff_by_community({found[0].community_id for found in items.values()})
    recipients = {
        estate_id: secretaries[estate_id] or staff[found[0].community_id]
        for (estate_id, _closed), found in items.items()
    }
    keys = {
        (estate_id, closed, user.pk): _key(estate_id, closed, user.pk)
        for estate_id, closed in items
        for user in recipients[estate_id]
    }
    sent = set(
        Notification.objects.filter(dedupe_key__in=keys.values()).values_list(
            "dedupe_key", flat=True
        )
    )
    ids = []
    for (estate_id, closed, user_id), key in sorted(keys.items()):
        if key in sent:
            continue
        user = next(u for u in recipients[estate_id] if u.pk == user_id)
        overdue = items[(estate_id, closed)]
        message = message_staff_user(
            Notification.Kind.ORG_LIFE_OVERDUE,
            user=user,
            dedupe_key=key,
            context={
                "estate": overdue[0].estate,
                "items": overdue,
                "url": site_url(
                    reverse("admin:branches_orgmeeting_overdue") + f"?estate={estate_id}"
                ),
            },
        )
        if message:
            ids.append(message.pk)
    enqueue_deliveries(ids)
    return len(ids)
