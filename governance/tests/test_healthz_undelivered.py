"""/healthz counts the e-mails and texts that should have gone out more than an hour ago
and have not (a task lost while the broker was down, a mail server that keeps failing):
"late" with the count, still 200. A message due less than an hour ago, or delivered, or
read in the admin only, does not count."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.messaging import message_staff_user
from meetings.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)


def reminder(user, key: str, *, due_ago: timedelta) -> Notification:
    """A survey task's reminder to `user`, due `due_ago`, recorded and never handed over
    (as when the broker was down)."""
    return message_staff_user(
        Notification.Kind.TASK_REMINDER,
        user=user,
        dedupe_key=f"test:{key}",
        context={"task": {"title": "清理楼道"}, "days_left": 1, "url": "/"},
        deliver_after=timezone.now() - due_ago,
    )


def undelivered(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()["undelivered"]


@pytest.fixture
def staff(world):
    world.staff_a.email = "guangda@example.cn"
    world.staff_a.save()
    return world.staff_a


def test_nothing_late(client, staff):
    reminder(staff, "fresh", due_ago=timedelta(minutes=30))
    assert undelivered(client) == {"state": "ok", "older_than_an_hour": 0}


def test_messages_due_over_an_hour_ago_and_not_sent_are_late(client, staff, world):
    reminder(staff, "late-1", due_ago=timedelta(hours=2))
    reminder(staff, "late-2", due_ago=timedelta(days=1))
    reminder(staff, "fresh", due_ago=timedelta(minutes=30))
    sent = reminder(staff, "sent", due_ago=timedelta(hours=2))
    Notification.objects.filter(pk=sent.pk).update(delivered_at=timezone.now())
    # read in the admin only (no e-mail address): delivered as it is recorded
    reminder(world.secretary_a1, "inbox", due_ago=timedelta(hours=2))
    assert undelivered(client) == {"state": "late", "older_than_an_hour": 2}
