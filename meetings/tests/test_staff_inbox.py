"""Staff read their own messages in the admin: an unread count in the header, a list they
mark read; nobody reads another's."""

from django.urls import reverse

from meetings.models import Notification

LIST = reverse("admin:meetings_notification_changelist")


def message(user, subject):
    return Notification.objects.create(
        kind="visit_reminder",
        channel="inbox",
        user=user,
        subject=subject,
        text=subject,
        dedupe_key=f"test:{user.pk}:{subject}",
    )


def test_unread_count_list_and_mark_read(client, world):
    mine = [message(world.staff_a, "提醒一"), message(world.staff_a, "提醒二")]
    message(world.staff_b, "别人的提醒")
    client.force_login(world.staff_a)
    header = client.get(reverse("admin:index")).content.decode()
    assert "2条未读消息" in header or "2 unread messages" in header
    html = client.get(LIST).content.decode()
    assert "提醒一" in html and "提醒二" in html and "别人的提醒" not in html
    client.post(LIST, {"action": "mark_read", "_selected_action": [mine[0].pk]})
    mine[0].refresh_from_db()
    assert mine[0].read_at is not None
    header = client.get(reverse("admin:index")).content.decode()
    assert "1条未读消息" in header or "1 unread message" in header


def test_opening_a_message_reads_it_and_another_users_is_not_found(client, world):
    own, other = message(world.staff_a, "我的"), message(world.staff_b, "别人的")
    client.force_login(world.staff_a)
    assert (
        client.get(reverse("admin:meetings_notification_change", args=[own.pk])).status_code == 200
    )
    own.refresh_from_db()
    assert own.read_at is not None
    page = client.get(reverse("admin:meetings_notification_change", args=[other.pk]), follow=True)
    assert "别人的" not in page.content.decode()
    client.post(LIST, {"action": "mark_read", "_selected_action": [other.pk]})
    other.refresh_from_db()
    assert other.read_at is None


def test_a_superuser_finds_the_messages_that_could_not_be_delivered(client, world, settings):
    failed = Notification.objects.create(
        kind="sms_acknowledged",
        channel="sms",
        address="13900000000",
        subject="短信一",
        text="短信一",
        dedupe_key="test:failed",
        attempts=settings.NOTIFICATION_MAX_ATTEMPTS,
        last_error="ConnectionError: gateway down",
    )
    Notification.objects.create(
        kind="sms_acknowledged",
        channel="sms",
        address="13900000001",
        subject="短信二",
        text="短信二",
        dedupe_key="test:sent",
        attempts=1,
        delivered_at=failed.created_at,
    )
    client.force_login(world.superuser)
    html = client.get(LIST, {"delivery": "failed"}).content.decode()
    assert "短信一" in html and "gateway down" in html and "短信二" not in html
    assert "13900000000" not in html  # the resident's number stays out of lists
    client.force_login(world.staff_a)
    assert "短信一" not in client.get(LIST).content.decode()
