"""Residents' texts through Alibaba Cloud SMS: the official SDK, pointed at a stub of the
API on 127.0.0.1, is given each kind's approved template with the values of the text, and
every refusal, error answer, 5xx or timeout is recorded on the message (with the provider's
code, never the phone number) and sent again by the usual retry, once."""

import json
import socket

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from meetings.messaging import sweep_undelivered
from meetings.models import Notification, Status
from meetings.services import appeal_acknowledge
from meetings.tests.sms_stub import SILENCE, Answer, StubProvider, sdk_or_skip

sdk_or_skip("alibabacloud_dysmsapi20170525.client")

PHONE = "13912345678"
OK = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}


@pytest.fixture
def alibaba(settings):
    stub = StubProvider(success=OK)
    settings.SMS_BACKEND = "meetings.sms_providers.AlibabaBackend"
    settings.SMS_PROVIDER_ENDPOINT = stub.url
    settings.SMS_PROVIDER_KEY_ID = "LTAI-test"
    settings.SMS_PROVIDER_KEY_SECRET = "test-secret"
    settings.SMS_PROVIDER_SIGN_NAME = "幸福社区"
    settings.SMS_PROVIDER_CONNECT_TIMEOUT = 0.5
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.5
    settings.SMS_PROVIDER_TEMPLATES = {
        "sms_submitted": "SMS_100000001:code,url",
        "sms_acknowledged": "SMS_100000002:code,url",
        "sms_resolved": "SMS_100000003:code,url",
        "sms_closed": "SMS_100000004:code,reason,url",
        "commitment_reminder": "SMS_100000005:group,text,due,progress",
    }
    yield stub
    stub.stop()


@pytest.fixture
def filed(new_appeal, django_capture_on_commit_callbacks):
    """File an appeal as a resident does; its text is delivered after the commit."""

    def file(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return new_appeal(contact_phone=PHONE, **fields)

    return file


def test_each_kind_goes_as_its_template_with_the_values_of_the_text(
    world, alibaba, filed, django_capture_on_commit_callbacks
):
    appeal = filed()
    with django_capture_on_commit_callbacks(execute=True):
        appeal_acknowledge(appeal=appeal, by=world.staff_a)

    assert [r.action for r in alibaba.received] == ["SendSms", "SendSms"]
    submitted, acknowledged = (r.query for r in alibaba.received)
    url = "http://127.0.0.1:8000" + reverse("track_detail", args=[appeal.display_code])
    assert submitted["TemplateCode"] == "SMS_100000001"
    assert acknowledged["TemplateCode"] == "SMS_100000002"
    assert json.loads(submitted["TemplateParam"]) == {"code": appeal.display_code, "url": url}
    assert submitted["PhoneNumbers"] == PHONE  # Alibaba's mainland form: no +86
    assert submitted["SignName"] == "幸福社区"
    message = Notification.objects.get(appeal=appeal, kind="sms_submitted")
    assert submitted["OutId"] == message.dedupe_key  # found again in the delivery receipts
    assert message.delivered_at is not None and message.last_error == ""
    # delivered messages are not sent again by the sweep
    assert sweep_undelivered() == 0
    assert len(alibaba.received) == 2


def test_the_closing_text_gives_the_reason_as_the_resident_reads_it(alibaba, appeal_in):
    appeal = appeal_in(Status.CLOSED, contact_phone=PHONE, language="en")
    sweep_undelivered()  # the texts recorded on the way, the closing one among them
    [closed] = [r.query for r in alibaba.received if r.query["TemplateCode"] == "SMS_100000004"]
    with translation.override("en"):
        reason = str(appeal.get_closure_reason_display())
    assert reason and json.loads(closed["TemplateParam"])["reason"] == reason
    assert json.loads(closed["TemplateParam"])["code"] == appeal.display_code


# (a provider's words may quote the number; the record never does)
REFUSED = {
    "Code": "isv.BUSINESS_LIMIT_CONTROL",
    "Message": f"触发号码天级流控 {PHONE}",
    "RequestId": "A1",
}
BAD_SIGNATURE = {
    "Code": "SignatureDoesNotMatch",
    "Message": "Specified signature is not matched with our calculation.",
    "RequestId": "A2",
}
UNAVAILABLE = {
    "Code": "ServiceUnavailable",
    "Message": "The request has failed due to a temporary failure of the server.",
    "RequestId": "A3",
}


@pytest.mark.parametrize(
    ("failure", "recorded"),
    [
        (Answer(200, REFUSED), "isv.BUSINESS_LIMIT_CONTROL"),
        (Answer(400, BAD_SIGNATURE), "SignatureDoesNotMatch (HTTP 400)"),
        (Answer(503, UNAVAILABLE), "ServiceUnavailable (HTTP 503)"),
        (SILENCE, "timeout"),
    ],
    ids=["limit-control", "bad-signature", "http-503", "timeout"],
)
def test_a_failure_is_recorded_with_the_providers_code_and_retried_once(
    alibaba, filed, failure, recorded, caplog
):
    alibaba.answer(failure)
    appeal = filed()
    message = Notification.objects.get(appeal=appeal)
    assert message.delivered_at is None and message.attempts == 1
    assert message.last_error.startswith("SMSDeliveryError: Alibaba Cloud SMS: ")
    assert recorded in message.last_error
    assert PHONE not in message.last_error and PHONE not in caplog.text
    assert message.deliver_after > timezone.now()  # backs off

    assert sweep_undelivered() == 0  # not before its time
    Notification.objects.filter(pk=message.pk).update(deliver_after=timezone.now())
    assert sweep_undelivered() == 1
    message.refresh_from_db()
    assert message.delivered_at is not None and message.attempts == 2
    assert message.last_error == ""
    assert len(alibaba.received) == 2  # the failed attempt and its retry
    assert alibaba.received[0].query == alibaba.received[1].query  # the same text again

    Notification.objects.filter(pk=message.pk).update(deliver_after=timezone.now())
    assert sweep_undelivered() == 0
    assert len(alibaba.received) == 2  # never a third time


def test_a_provider_out_of_reach_is_recorded_without_the_number(alibaba, filed, settings):
    with socket.socket() as closed:  # a port on which nothing listens
        closed.bind(("127.0.0.1", 0))
        settings.SMS_PROVIDER_ENDPOINT = f"http://127.0.0.1:{closed.getsockname()[1]}"
    appeal = filed()
    message = Notification.objects.get(appeal=appeal)
    assert message.delivered_at is None
    assert (
        message.last_error == "SMSDeliveryError: Alibaba Cloud SMS: no answer (could not connect)"
    )

    settings.SMS_PROVIDER_ENDPOINT = alibaba.url  # back
    Notification.objects.filter(pk=message.pk).update(deliver_after=timezone.now())
    assert sweep_undelivered() == 1
    assert len(alibaba.received) == 1
