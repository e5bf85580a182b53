"""Every kind of message has a name a reader understands, in their language: the inbox's
filter and list show it, never the key the code stores."""

from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Notification

LIST = reverse("admin:meetings_notification_changelist")
MESSAGES = Path(settings.BASE_DIR) / "templates" / "messages"


def reminder(user, n=0, kind="visit_reminder"):
    return Notification.objects.create(
        kind=kind,
        channel="inbox",
        user=user,
        subject="回访提醒的主题",
        text="正文",
        dedupe_key=f"test:{user.pk}:{n}",
    )


def test_the_inbox_names_the_kinds_in_english(client, world):
    reminder(world.staff_a)
    client.cookies["django_language"] = "en"
    client.force_login(world.staff_a)
    html = client.get(LIST).content.decode()
    assert html.count("return-visit reminder") == 2  # the filter, and the list's column
    assert "visit_reminder</a>" not in html and "visit_reminder</td>" not in html


def test_the_kind_filter_offers_the_kinds_of_the_readers_own_messages(client, world):
    reminder(world.staff_a)
    Notification.objects.create(
        kind="sms_acknowledged",
        channel="sms",
        address="13900000000",
        subject="短信",
        text="短信",
        dedupe_key="test:sms",
    )
    client.cookies["django_language"] = "en"
    client.force_login(world.staff_a)
    html = client.get(LIST).content.decode()
    assert "?kind=visit_reminder" in html and "text to the resident" not in html
    assert "短信" not in client.get(LIST, {"kind": "sms_acknowledged"}).content.decode()
    client.force_login(world.superuser)  # who sees every message
    html = client.get(LIST, {"kind": "sms_acknowledged"}).content.decode()
    assert "text to the resident: appeal acknowledged" in html
    assert "短信" in html and "回访提醒的主题" not in html


def test_the_inbox_names_the_kinds_in_chinese(client, world):
    reminder(world.staff_a)
    client.force_login(world.staff_a)
    html = client.get(LIST).content.decode()
    assert "回访提醒" in html
    assert "visit_reminder</a>" not in html and "visit_reminder</td>" not in html


def test_every_message_the_code_writes_is_a_named_kind():
    written = {p.name.removesuffix("-subject.txt") for p in MESSAGES.glob("*-subject.txt")}
    written |= {f"sms_{p.stem}" for p in (MESSAGES / "sms").glob("*.txt")}
    written |= {p.stem for p in (MESSAGES / "member_sms").glob("*.txt")}  # texts to members
    assert written  # the templates are where they were
    assert written <= set(Notification.Kind.values), written - set(Notification.Kind.values)


def test_the_kinds_cost_the_same_queries_for_one_message_or_many(client, world):
    reminder(world.staff_a)
    client.cookies["django_language"] = "en"
    client.force_login(world.staff_a)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    queries()  # warm the per-process caches
    one = queries()
    for n, kind in enumerate(Notification.Kind.values * 4, start=1):
        reminder(world.staff_a, n, kind)
    assert queries() == one
