"""Residents' text messages, departments' e-mails, the daily digest, and delivery that is
recorded, retried, and never sends one message twice."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone

from meetings.messaging import notification_deliver, sweep_undelivered
from meetings.models import Appeal, Notification, Status
from meetings.reminders import sweep_digests
from meetings.services import (
    appeal_acknowledge,
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
)
from meetings.sms import MemoryBackend
from meetings.tasks import deliver_notification

ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    MemoryBackend.outbox.clear()
    yield
    MemoryBackend.outbox.clear()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the enqueue of deliveries), as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_resident_is_texted_when_acknowledged_resolved_and_closed(world, new_appeal, commit):
    with commit():
        appeal = new_appeal(contact_phone="13912340000")
    with commit():
        appeal_acknowledge(appeal=appeal, by=world.staff_a)
    with commit():
        appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
        appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已修好")
    with commit():
        appeal_record_return_visit(
            appeal=appeal,
            by=world.staff_a,
            channel="phone",
            reached=True,
            solved=True,
            satisfaction="satisfied",
        )
    texts = [text for phone, text in MemoryBackend.outbox]
    assert [phone for phone, _ in MemoryBackend.outbox] == ["13912340000"] * 4
    assert all(appeal.display_code in text for text in texts)
    assert "查询码" in texts[0]  # at filing: the code, named as on the pages
    assert f"/appeals/track/{appeal.display_code}/" in texts[2]  # answer the return visit
    assert "已办结" in texts[2] or "fixed" in texts[2]
    assert Notification.objects.filter(channel="sms", delivered_at__isnull=False).count() == 4


def test_a_resident_who_filed_in_english_gets_english_texts(world, new_appeal, commit):
    appeal = new_appeal(language="en")
    with commit():
        appeal_acknowledge(appeal=appeal, by=world.staff_a)
    assert "is received" in MemoryBackend.outbox[0][1]


def test_the_department_is_told_when_an_appeal_is_referred(
    world, new_appeal, department, commit, mailoutbox
):
    appeal = new_appeal()
    with commit():
        appeal_route(appeal=appeal, to="refer", by=world.secretary_a1, department=department)
    assert [m.to for m in mailoutbox] == [["zjj@example.cn"]]
    mail = mailoutbox[0]
    assert str(appeal.pk) in mail.subject and appeal.title in mail.subject
    # the tracking code is the resident's key: it never leaves for outside departments
    assert appeal.code not in mail.subject + mail.body + mail.alternatives[0][0]
    assert appeal.display_code not in mail.body


def test_running_the_task_twice_sends_once(world, new_appeal):
    appeal = new_appeal()
    appeal_acknowledge(appeal=appeal, by=world.staff_a)  # records the text; no commit here
    message = Notification.objects.get(kind="sms_acknowledged")
    assert deliver_notification.apply(args=[message.pk]).get() is True
    assert deliver_notification.apply(args=[message.pk]).get() is False
    assert len(MemoryBackend.outbox) == 1


def test_a_failed_text_is_recorded_retried_and_the_appeal_untouched(world, new_appeal):
    appeal = new_appeal()
    assert sweep_undelivered() == 1  # the code texted at filing (its task waits for a commit)
    MemoryBackend.outbox.clear()
    appeal_acknowledge(appeal=appeal, by=world.staff_a)
    message = Notification.objects.get(kind="sms_acknowledged")
    with mock.patch.object(MemoryBackend, "send", side_effect=ConnectionError("gateway down")):
        deliver_notification.apply(args=[message.pk])
    message.refresh_from_db()
    assert message.delivered_at is None and message.attempts == 1
    assert "gateway down" in message.last_error
    assert message.deliver_after > timezone.now()  # backs off
    appeal.refresh_from_db()
    assert appeal.acknowledged_at is not None and appeal.status == Status.RECEIVED
    assert sweep_undelivered() == 0  # not before its retry time
    Notification.objects.filter(pk=message.pk).update(deliver_after=timezone.now())
    assert sweep_undelivered() == 1
    message.refresh_from_db()
    assert message.delivered_at is not None and message.attempts == 2
    assert len(MemoryBackend.outbox) == 1


def test_a_failed_email_is_recorded(world, new_appeal, department):
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="refer", by=world.secretary_a1, department=department)
    message = Notification.objects.get(channel="email")
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("smtp refused")
    ):
        deliver_notification.apply(args=[message.pk])
    message.refresh_from_db()
    assert "smtp refused" in message.last_error and message.delivered_at is None


@override_settings(NOTIFICATION_MAX_ATTEMPTS=2)
def test_no_delivery_past_the_attempts_however_it_is_asked(world, new_appeal):
    appeal = new_appeal()
    appeal_acknowledge(appeal=appeal, by=world.staff_a)
    message = Notification.objects.get(kind="sms_acknowledged")
    Notification.objects.filter(pk=message.pk).update(attempts=2)
    assert deliver_notification.apply(args=[message.pk]).get() is False
    assert MemoryBackend.outbox == []


def test_a_dead_broker_costs_one_timeout_not_one_per_message(world, new_appeal):
    from celery import current_app

    from meetings.messaging import _enqueue

    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("broker down")

    task = current_app.tasks["meetings.tasks.deliver_notification"]
    with mock.patch.object(task, "apply_async", side_effect=refuse):
        _enqueue([1, 2, 3, 4])
    assert len(calls) == 1


@override_settings(NOTIFICATION_MAX_ATTEMPTS=2)
def test_a_message_that_keeps_failing_is_given_up_after_the_attempts(world, new_appeal):
    appeal = new_appeal()
    appeal_acknowledge(appeal=appeal, by=world.staff_a)
    message = Notification.objects.get(kind="sms_acknowledged")
    with mock.patch.object(MemoryBackend, "send", side_effect=ConnectionError("down")):
        for _ in range(3):
            Notification.objects.filter(pk=message.pk).update(deliver_after=timezone.now())
            sweep_undelivered()
    message.refresh_from_db()
    assert message.attempts == 2


def test_a_message_being_sent_is_not_sent_again_by_a_second_worker(world, new_appeal):
    appeal = new_appeal()
    appeal_acknowledge(appeal=appeal, by=world.staff_a)
    message = Notification.objects.get(kind="sms_acknowledged")
    Notification.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=3)
    )
    assert notification_deliver(notification_id=message.pk) is False
    assert MemoryBackend.outbox == []


def overdue(appeal, days=2):
    Appeal.objects.filter(pk=appeal.pk).update(next_due_at=timezone.now() - timedelta(days=days))


@ALL_DAY
def test_one_digest_per_recipient_per_day(world, new_appeal, department):
    first, second = new_appeal(title="一"), new_appeal(title="二")
    referred = new_appeal(title="三")
    appeal_route(appeal=referred, to="refer", by=world.secretary_a1, department=department)
    Appeal.objects.filter(pk=first.pk).update(handler=world.staff_a)
    for appeal in (first, second, referred):
        overdue(appeal)
    new_appeal(title="未逾期")
    assert sweep_digests() == 3  # guangda (handler), xinducheng (secretary), the department
    assert sweep_digests() == 0  # the same day again
    digests = Notification.objects.filter(kind="digest")
    secretary = digests.get(user=world.secretary_a1)
    assert all(code in secretary.text for code in (first.display_code, second.display_code))
    assert "未逾期" not in secretary.text
    handler = digests.get(user=world.staff_a)
    assert first.display_code in handler.text and second.display_code not in handler.text
    dept = digests.get(recipient_name=department.name)
    assert f"No.{referred.pk}" in dept.text and f"No.{first.pk}" not in dept.text
    assert referred.display_code not in dept.text + dept.html


def test_no_digest_outside_working_hours(world, new_appeal):
    overdue(new_appeal())
    hour = timezone.localtime().hour
    with override_settings(
        WORKING_HOURS_START=(hour + 1) % 24, WORKING_HOURS_END=(hour + 2) % 24 or 24
    ):
        assert sweep_digests() == 0
