"""`manage.py check` names what a chosen SMS provider lacks before any text fails: its SDK,
a credential, the sign name, a kind's template, a parameter the kind's text does not have;
and every kind of text message has a template setting."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from meetings.models import Notification

COMPLETE = {
    "SMS_PROVIDER_KEY_ID": "key-id",
    "SMS_PROVIDER_KEY_SECRET": "key-secret",
    "SMS_PROVIDER_APP_ID": "1400006666",
    "SMS_PROVIDER_SIGN_NAME": "幸福社区",
    "SMS_PROVIDER_TEMPLATES": {
        "sms_submitted": "SMS_1:code,url",
        "sms_acknowledged": "SMS_2:code",
        "sms_resolved": "SMS_3:url,code",
        "sms_closed": "SMS_4:code,reason,url",
        "commitment_reminder": "SMS_5:group,text,due,progress",
    },
}


def check_errors() -> str:
    """The check's complaints about the SMS backend ("" when it has none)."""
    try:
        call_command("check")
    except SystemCheckError as error:
        return str(error)
    return ""


@pytest.fixture
def provider(settings):
    def choose(backend, **overrides):
        settings.SMS_BACKEND = f"meetings.sms_providers.{backend}"
        for name, value in {**COMPLETE, **overrides}.items():
            setattr(settings, name, value)

    return choose


@pytest.mark.parametrize("backend", ["AlibabaBackend", "TencentBackend"])
def test_a_provider_chosen_without_its_settings_is_refused_naming_them(provider, backend):
    provider(
        backend,
        SMS_PROVIDER_KEY_ID="",
        SMS_PROVIDER_SIGN_NAME=" ",
        SMS_PROVIDER_APP_ID="",
        SMS_PROVIDER_TEMPLATES={**COMPLETE["SMS_PROVIDER_TEMPLATES"], "sms_closed": ""},
    )
    errors = check_errors()
    assert "meetings.E001" in errors
    missing = {"SMS_PROVIDER_KEY_ID", "SMS_PROVIDER_SIGN_NAME"}
    if backend == "TencentBackend":
        missing.add("SMS_PROVIDER_APP_ID")  # Tencent's SdkAppId; Alibaba has none
    named = errors.partition("not set: ")[2].partition("\n")[0].split(", ")
    assert set(named) == missing
    assert "no template for: sms_closed (SMS_PROVIDER_TEMPLATE_CLOSED)" in errors


def test_alibaba_needs_no_app_id(provider):
    provider("AlibabaBackend", SMS_PROVIDER_APP_ID="")
    assert "SMS_PROVIDER_APP_ID" not in check_errors()


def test_a_template_naming_a_value_the_text_does_not_have_is_refused(provider):
    templates = {**COMPLETE["SMS_PROVIDER_TEMPLATES"], "sms_acknowledged": "SMS_2:code,title"}
    provider("TencentBackend", SMS_PROVIDER_TEMPLATES=templates)
    errors = check_errors()
    assert "the template of sms_acknowledged names title" in errors
    assert "it has: code, url" in errors


def test_a_template_setting_that_cannot_be_read_is_refused(provider):
    templates = {**COMPLETE["SMS_PROVIDER_TEMPLATES"], "sms_resolved": ":code"}
    provider("AlibabaBackend", SMS_PROVIDER_TEMPLATES=templates)
    assert "the template of sms_resolved: ':code' is not" in check_errors()


def test_a_provider_without_its_sdk_is_refused_saying_how_to_install_it(provider, monkeypatch):
    from meetings.sms_providers import AlibabaBackend

    monkeypatch.setattr(AlibabaBackend, "sdk", "alibabacloud_not_installed.client")
    provider("AlibabaBackend")
    assert "pip install -r requirements-sms.txt" in check_errors()


@pytest.mark.parametrize("backend", ["ConsoleBackend", "FileBackend", "MemoryBackend"])
def test_the_included_backends_need_no_provider_settings(settings, backend):
    settings.SMS_BACKEND = f"meetings.sms.{backend}"
    settings.SMS_PROVIDER_KEY_ID = ""
    assert check_errors() == ""


def test_every_kind_of_text_message_has_a_template_setting():
    residents = {k for k in Notification.Kind.values if k.startswith("sms_")}
    folder = Path(django_settings.BASE_DIR) / "templates" / "messages" / "member_sms"
    members = {path.stem for path in folder.glob("*.txt")}
    assert set(django_settings.SMS_PROVIDER_TEMPLATES) == residents | members
