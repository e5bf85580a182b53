"""Texts through Tencent Cloud SMS: the official SDK, pointed at a stub of the API on
127.0.0.1, is given each kind's template ID with the text's values in the template's order
and the number as +86…, for a resident's text and a group leader's alike; a per-number
refusal, an error answer, a 5xx and a timeout are each recorded on the message (with the
provider's code, never the phone number) and sent again by the usual retry, once."""

from datetime import datetime

import pytest
from django.utils import timezone

from branches.tests.ledger_helpers import commitment_for, due_in_year
from governance.commitment_reminders import sweep_commitment_reminders
from meetings.messaging import sweep_undelivered
from meetings.models import Notification
from meetings.services import appeal_acknowledge
from meetings.tests.sms_stub import SILENCE, Answer, StubProvider, sdk_or_skip

sdk_or_skip("tencentcloud.sms.v20210111.sms_client")

PHONE = "13912345678"


def answer(code="Ok", message="send success", phone=f"+86{PHONE}"):
    """Tencent's answer to SendSms for one number (SendStatusSet's shape in the SDK)."""
    status = {
        "SerialNo": "5000:1045710669157053657849499619",
        "PhoneNumber": phone,
        "Fee": 1,
        "SessionContext": "",
        "Code": code,
        "Message": message,
        "IsoCode": "CN",
    }
    return {"Response": {"SendStatusSet": [status], "RequestId": "a0aabda6-cf91-4f3e"}}


def error(code, message):
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "b1"}}


@pytest.fixture
def tencent(settings):
    stub = StubProvider(success=answer())
    settings.SMS_BACKEND = "meetings.sms_providers.TencentBackend"
    settings.SMS_PROVIDER_ENDPOINT = stub.url
    settings.SMS_PROVIDER_KEY_ID = "AKID-test"
    settings.SMS_PROVIDER_KEY_SECRET = "test-secret"
    settings.SMS_PROVIDER_APP_ID = "1400006666"
    settings.SMS_PROVIDER_SIGN_NAME = "幸福社区"
    settings.SMS_PROVIDER_CONNECT_TIMEOUT = 0.5
    settings.SMS_PROVIDER_READ_TIMEOUT = 0.5
    settings.SMS_PROVIDER_TEMPLATES = {
        "sms_submitted": "1000001:code,url",
        "sms_acknowledged": "1000002:code,url",
        "sms_resolved": "1000003:code,url",
        "sms_closed": "1000004:code,reason,url",
        "commitment_reminder": "1000005:group,text,due,progress",
    }
    yield stub
    stub.stop()


def test_a_residents_text_goes_as_its_template_to_the_number_with_86(
    world, tencent, new_appeal, django_capture_on_commit_callbacks
):
    appeal = new_appeal(contact_phone=PHONE)  # its text waits for a commit
    with django_capture_on_commit_callbacks(execute=True):
        appeal_acknowledge(appeal=appeal, by=world.staff_a)

    [sent] = tencent.received
    assert sent.action == "SendSms"
    assert sent.body["PhoneNumberSet"] == [f"+86{PHONE}"]
    assert sent.body["TemplateId"] == "1000002"
    assert sent.body["TemplateParamSet"][0] == appeal.display_code  # {1}, then the link {2}
    assert sent.body["TemplateParamSet"][1].endswith(f"/appeals/track/{appeal.display_code}/")
    assert sent.body["SmsSdkAppId"] == "1400006666" and sent.body["SignName"] == "幸福社区"
    message = Notification.objects.get(appeal=appeal, kind="sms_acknowledged")
    assert sent.body["SessionContext"] == message.dedupe_key
    assert message.delivered_at is not None


def test_a_group_leaders_reminder_goes_as_its_own_template(
    world, tencent, settings, django_capture_on_commit_callbacks
):
    settings.COMMITMENT_REMINDER_DAYS = 7
    commitment = commitment_for(world, due_on=due_in_year(20), progress=40)
    morning = timezone.make_aware(datetime.combine(due_in_year(13), datetime.min.time()))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_commitment_reminders(now=morning.replace(hour=10))

    [sent] = tencent.received
    assert sent.body["PhoneNumberSet"] == [f"+86{world.a_member.phone}"]
    assert sent.body["TemplateId"] == "1000005"
    assert sent.body["TemplateParamSet"] == [
        world.a_group.name,
        commitment.text,
        f"{commitment.due_on:%Y-%m-%d}",
        "40",
    ]


@pytest.mark.parametrize(
    ("failure", "recorded"),
    [
        (
            Answer(200, answer("LimitExceeded.PhoneNumberDailyLimit", f"+86{PHONE}: daily limit")),
            "LimitExceeded.PhoneNumberDailyLimit",
        ),
        (
            Answer(200, error("AuthFailure.SignatureFailure", "signature verification failed")),
            "AuthFailure.SignatureFailure",
        ),
        (Answer(502, {"message": "bad gateway"}), "ServerNetworkError"),
        (SILENCE, "ClientNetworkError: timeout"),
    ],
    ids=["daily-limit", "bad-signature", "http-502", "timeout"],
)
def test_a_failure_is_recorded_with_the_providers_code_and_retried_once(
    tencent, new_appeal, failure, recorded, caplog, django_capture_on_commit_callbacks
):
    tencent.answer(failure)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = new_appeal(contact_phone=PHONE)
    message = Notification.objects.get(appeal=appeal)
    assert message.delivered_at is None and message.attempts == 1
    assert message.last_error.startswith("SMSDeliveryError: Tencent Cloud SMS: ")
    assert recorded in message.last_error
    assert PHONE not in message.last_error and PHONE not in caplog.text

    Notification.objects.filter(pk=message.pk).update(deliver_after=timezone.now())
    assert sweep_undelivered() == 1
    message.refresh_from_db()
    assert message.delivered_at is not None and message.attempts == 2
    assert len(tencent.received) == 2
    assert tencent.received[0].body == tencent.received[1].body  # the same text again

    Notification.objects.filter(pk=message.pk).update(deliver_after=timezone.now())
    assert sweep_undelivered() == 0
    assert len(tencent.received) == 2  # never a third time
