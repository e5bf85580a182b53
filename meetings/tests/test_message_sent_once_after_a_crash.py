"""A worker that dies after the provider took a message and before the platform wrote that
down leaves the message claimed but not delivered; once its lease runs out the sweep sends
it again. Every attempt carries the message's unique key, so a provider that deduplicates
(here the file backend, which drops a repeat as such a provider would) sends one text; an
e-mail sent again carries the same Message-ID. A backend written for the older
`send(phone, text)` still delivers, and `manage.py check` warns that it cannot drop
repeats."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from meetings.messaging import claim_lease, notification_deliver, sweep_undelivered
from meetings.models import Notification
from meetings.services import appeal_acknowledge, appeal_route
from meetings.sms import FileBackend


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, and no `except Exception` catches it."""


class ProviderThenDeath(FileBackend):
    """The provider (the file) takes the text, then the worker dies, the first time only.
    Passes on whatever the platform gives it, so the test runs against any interface."""

    received: list = []
    deaths = 0

    def send(self, phone, text, **extra):
        ProviderThenDeath.received.append(extra.get("key"))
        super().send(phone, text, **extra)
        if ProviderThenDeath.deaths == 0:
            ProviderThenDeath.deaths += 1
            raise WorkerKilled


class OldBackend:
    """A provider's backend written for the two-argument interface."""

    sent: list = []

    def send(self, phone, text):
        OldBackend.sent.append((phone, text))


def after_the_lease():
    """The clock once the dead worker's lease has run out."""
    later = timezone.now() + claim_lease() + timedelta(seconds=1)
    return mock.patch("django.utils.timezone.now", return_value=later)


@pytest.fixture
def sms_file(tmp_path):
    ProviderThenDeath.received, ProviderThenDeath.deaths = [], 0
    path = tmp_path / "sms.jsonl"
    with override_settings(SMS_BACKEND=f"{__name__}.ProviderThenDeath", SMS_FILE_PATH=str(path)):
        yield path


def test_a_text_sent_again_after_a_worker_died_reaches_the_resident_once(
    world, new_appeal, sms_file
):
    appeal = new_appeal(contact_phone="13912347777")  # records "your code is …"
    text = Notification.objects.get(appeal=appeal, kind="sms_submitted")

    with pytest.raises(WorkerKilled):
        notification_deliver(notification_id=text.pk)
    text.refresh_from_db()
    assert text.delivered_at is None  # the worker never wrote it down

    assert sweep_undelivered() == 0  # still leased to the dead worker
    with after_the_lease():
        assert sweep_undelivered() == 1  # sent again

    lines = [json.loads(line) for line in sms_file.read_text(encoding="utf-8").splitlines()]
    assert [line["to"] for line in lines] == ["13912347777"]
    assert appeal.display_code in lines[0]["text"]
    assert ProviderThenDeath.received == [text.dedupe_key, text.dedupe_key]
    assert lines[0]["key"] == text.dedupe_key
    text.refresh_from_db()
    assert text.delivered_at is not None and text.attempts == 2


def test_different_messages_to_one_resident_all_go_out(world, new_appeal, sms_file):
    ProviderThenDeath.deaths = 1  # nobody dies here
    appeal = new_appeal(contact_phone="13912347777")
    appeal_acknowledge(appeal=appeal, by=world.staff_a)  # a second text, its own key
    sweep_undelivered()
    lines = sms_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == Notification.objects.filter(appeal=appeal, channel="sms").count() >= 2


def test_an_email_sent_again_after_a_worker_died_carries_the_same_message_id(
    world, new_appeal, department, mailoutbox
):
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="refer", by=world.secretary_a1, department=department)
    referral = Notification.objects.get(appeal=appeal, kind="referral")
    send = EmailMultiAlternatives.send

    def send_then_die(mail, *args, **kwargs):
        send(mail, *args, **kwargs)
        raise WorkerKilled

    with (
        mock.patch.object(EmailMultiAlternatives, "send", send_then_die),
        pytest.raises(WorkerKilled),
    ):
        notification_deliver(notification_id=referral.pk)
    with after_the_lease():
        sweep_undelivered()

    ids = [mail.message()["Message-ID"] for mail in mailoutbox if mail.to == ["zjj@example.cn"]]
    assert len(ids) == 2 and ids[0] == ids[1]  # SMTP cannot drop it; the mailbox can
    others = [mail.message()["Message-ID"] for mail in mailoutbox if mail.to != ["zjj@example.cn"]]
    assert ids[0] not in others


@override_settings(SMS_BACKEND=f"{__name__}.OldBackend")
def test_a_two_argument_backend_still_delivers_and_the_check_warns(world, new_appeal, capsys):
    OldBackend.sent = []
    appeal = new_appeal(contact_phone="13912347777")
    assert sweep_undelivered() == 1
    assert [phone for phone, _ in OldBackend.sent] == ["13912347777"]
    assert Notification.objects.get(appeal=appeal).delivered_at is not None

    call_command("check")
    warning = capsys.readouterr().err
    assert "meetings.W001" in warning and "key" in warning


def test_the_included_backends_take_the_key_so_the_check_is_quiet(capsys):
    for backend in ("ConsoleBackend", "FileBackend", "MemoryBackend"):
        with override_settings(SMS_BACKEND=f"meetings.sms.{backend}"):
            call_command("check")
        assert "meetings.W001" not in capsys.readouterr().err
