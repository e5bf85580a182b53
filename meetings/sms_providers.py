"""Text messages through a provider's SMS API: Alibaba Cloud SMS (`SendSms` of dysmsapi
2017-05-25) and Tencent Cloud SMS (`SendSms` of sms 2021-01-11), through their official
Python SDKs (requirements-sms.txt: installed only where a provider is used).

Chinese providers send only pre-approved templates under an approved sign name, never free
text. The backend picks the template of the message's kind (`SMS_PROVIDER_TEMPLATES`, one
setting per kind: "<template code>:<parameter>,<parameter>") and fills it with the values the
platform's own text template filled in (`params`, by name: `code`, `url`, …; Tencent's
template numbers them {1}, {2} … in the listed order). The rendered text is not sent.

Every failure raises SMSDeliveryError naming the provider and its code, never the phone
number: a refusal in a successful answer (Alibaba's `Code`, such as
`isv.BUSINESS_LIMIT_CONTROL`; Tencent's per-number `SendStatusSet[].Code`, such as
`LimitExceeded.PhoneNumberDailyLimit`), an error answer (a bad signature or key), an HTTP
5xx, a timeout, a refused connection. The platform records it on the message and retries on
its own schedule (meetings/messaging.py), so the SDKs make one attempt each and give up
after `SMS_PROVIDER_CONNECT_TIMEOUT` and `SMS_PROVIDER_READ_TIMEOUT` seconds.

`manage.py check` names what a chosen provider lacks (meetings.E001): the SDK, a credential,
the sign name, a kind's template, or a parameter its text does not have. docs/sms.md says
how to set each up."""

import importlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from .messaging import sms_template, template_variables
from .sms import SMSDeliveryError

LONG_NUMBER = re.compile(r"\d{7,}")


@dataclass(frozen=True)
class Template:
    code: str
    params: tuple[str, ...]


def parse_template(value: str) -> Template | None:
    """ "SMS_123456789:code,url" → the template's code and its parameters in order; None
    when unset. Raises ValueError when it cannot be read."""
    value = value.strip()
    if not value:
        return None
    code, _, names = value.partition(":")
    params = tuple(name.strip() for name in names.split(",") if name.strip())
    if not code.strip() or any(not name.isidentifier() for name in params):
        raise ValueError(f"{value!r} is not '<template code>:<parameter>,<parameter>'")
    return Template(code.strip(), params)


def endpoint() -> tuple[str, str]:
    """SMS_PROVIDER_ENDPOINT as (scheme, host[:port]): ("https", "") when unset (the SDK's
    own endpoint for the region)."""
    value = settings.SMS_PROVIDER_ENDPOINT.strip()
    if not value:
        return "https", ""
    parts = urlsplit(value if "://" in value else f"https://{value}")
    return parts.scheme, parts.netloc


def _without_numbers(text: str, phone: str) -> str:
    """A provider's words for a log and the admin: no phone number, whatever it quoted."""
    if phone:
        text = text.replace(phone, "…")
    return LONG_NUMBER.sub("…", text)[:300]


class ProviderBackend:
    provider = ""  # the provider's name in error messages
    sdk = ""  # a module of its SDK, to tell whether it is installed
    required: tuple[str, ...] = ()  # the settings it cannot work without
    default_region = ""

    @classmethod
    def settings_problems(cls) -> list[str]:
        problems = []
        try:
            importlib.import_module(cls.sdk)
        except ImportError:
            problems.append(
                f"the {cls.provider} SDK is not installed (pip install -r requirements-sms.txt)"
            )
        missing = [name for name in cls.required if not str(getattr(settings, name)).strip()]
        if missing:
            problems.append(f"not set: {', '.join(missing)}")
        unset = []
        for kind, value in settings.SMS_PROVIDER_TEMPLATES.items():
            try:
                template = parse_template(value)
            except ValueError as error:
                problems.append(f"the template of {kind}: {error}")
                continue
            if template is None:
                unset.append(kind)
                continue
            known = template_variables(sms_template(kind))
            unknown = [name for name in template.params if name not in known]
            if unknown:
                problems.append(
                    f"the template of {kind} names {', '.join(unknown)}, which its text does "
                    f"not have (it has: {', '.join(known) or 'none'})"
                )
        if unset:
            named = [f"{k} (SMS_PROVIDER_TEMPLATE_{k.removeprefix('sms_').upper()})" for k in unset]
            problems.append(f"no template for: {', '.join(named)}")
        return problems

    def send(self, phone: str, text: str, *, key: str = "", kind: str = "", params=None) -> None:
        try:
            template = parse_template(settings.SMS_PROVIDER_TEMPLATES.get(kind, ""))
        except ValueError:
            template = None
        if template is None:
            raise SMSDeliveryError(f"{self.provider}: no template for the kind {kind!r}")
        params = params or {}
        missing = [name for name in template.params if name not in params]
        if missing:
            raise SMSDeliveryError(
                f"{self.provider}: the message has no {', '.join(missing)} "
                f"for template {template.code}"
            )
        values = [(name, str(params[name])) for name in template.params]
        try:
            refusal = self.send_template(phone, template.code, values, key=key)
        except SMSDeliveryError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever the SDK raised: one message
            raise SMSDeliveryError(f"{self.provider}: {self.describe(error, phone)}") from None
        if refusal:
            raise SMSDeliveryError(f"{self.provider}: {_without_numbers(refusal, phone)}")

    def send_template(self, phone, template_code, values, *, key) -> str:
        """Send; return the provider's refusal ("<code>: <message>") or "" when taken."""
        raise NotImplementedError

    def describe(self, error: Exception, phone: str) -> str:
        raise NotImplementedError

    @staticmethod
    def timeouts() -> tuple[float, float]:
        return settings.SMS_PROVIDER_CONNECT_TIMEOUT, settings.SMS_PROVIDER_READ_TIMEOUT


def _no_answer(error: BaseException) -> str:
    """A failure before any answer, as "timeout" or "no answer": never its text, which may
    quote the request's address (for Alibaba, with the phone number in its query)."""
    if "timeout" in type(error).__name__.lower() or "timed out" in str(error).lower():
        return "timeout"
    return "no answer (could not connect)"


class AlibabaBackend(ProviderBackend):
    """Alibaba Cloud SMS. Settings: SMS_PROVIDER_KEY_ID and SMS_PROVIDER_KEY_SECRET (the
    AccessKey of a RAM user that may only send SMS), SMS_PROVIDER_SIGN_NAME, the templates,
    SMS_PROVIDER_REGION (cn-hangzhou), SMS_PROVIDER_ENDPOINT (dysmsapi.aliyuncs.com). The
    message's key goes as `OutId` (it comes back in the delivery receipts)."""

    provider = "Alibaba Cloud SMS"
    sdk = "alibabacloud_dysmsapi20170525.client"
    required = ("SMS_PROVIDER_KEY_ID", "SMS_PROVIDER_KEY_SECRET", "SMS_PROVIDER_SIGN_NAME")
    default_region = "cn-hangzhou"

    def send_template(self, phone, template_code, values, *, key) -> str:
        import json

        from alibabacloud_dysmsapi20170525 import models
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        scheme, host = endpoint()
        connect, read = self.timeouts()
        client = Client(
            Config(
                access_key_id=settings.SMS_PROVIDER_KEY_ID,
                access_key_secret=settings.SMS_PROVIDER_KEY_SECRET,
                region_id=settings.SMS_PROVIDER_REGION or self.default_region,
                endpoint=host or None,
                protocol=scheme,
                connect_timeout=int(connect * 1000),  # milliseconds
                read_timeout=int(read * 1000),
            )
        )
        answer = client.send_sms(
            models.SendSmsRequest(
                phone_numbers=phone,  # mainland numbers without +86
                sign_name=settings.SMS_PROVIDER_SIGN_NAME,
                template_code=template_code,
                template_param=json.dumps(dict(values), ensure_ascii=False),
                out_id=key or None,
            )
        ).body
        if answer.code == "OK":
            return ""
        return f"{answer.code}: {answer.message or ''}"

    def describe(self, error: Exception, phone: str) -> str:
        from darabonba.exceptions import UnretryableException
        from Tea.exceptions import TeaException

        if isinstance(error, UnretryableException):  # no answer it could read
            return _no_answer(error.inner_exception)
        if isinstance(error, TeaException):  # an error answer: a bad key or signature, a 5xx
            data = error.data if isinstance(error.data, dict) else {}
            words = _without_numbers(str(data.get("Message") or ""), phone)
            status = getattr(error, "status_code", None)
            described = f"{error.code} (HTTP {status})" if status else str(error.code)
            return f"{described}: {words}" if words else described
        return _no_answer(error)


def e164(phone: str) -> str:
    """A mainland mobile as Tencent wants it: +86 and the number."""
    return phone if phone.startswith("+") else f"+86{phone}"


class TencentBackend(ProviderBackend):
    """Tencent Cloud SMS. Settings: SMS_PROVIDER_KEY_ID and SMS_PROVIDER_KEY_SECRET (a CAM
    sub-user's SecretId and SecretKey, allowed only SMS), SMS_PROVIDER_APP_ID (the SMS
    application's SdkAppId), SMS_PROVIDER_SIGN_NAME, the templates (Tencent's template IDs),
    SMS_PROVIDER_REGION (ap-guangzhou), SMS_PROVIDER_ENDPOINT (sms.tencentcloudapi.com). The
    message's key goes as `SessionContext` (it comes back with the status report)."""

    provider = "Tencent Cloud SMS"
    sdk = "tencentcloud.sms.v20210111.sms_client"
    required = (
        "SMS_PROVIDER_KEY_ID",
        "SMS_PROVIDER_KEY_SECRET",
        "SMS_PROVIDER_APP_ID",
        "SMS_PROVIDER_SIGN_NAME",
    )
    default_region = "ap-guangzhou"

    def send_template(self, phone, template_code, values, *, key) -> str:
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import models
        from tencentcloud.sms.v20210111.sms_client import SmsClient

        scheme, host = endpoint()
        profile = HttpProfile(
            protocol=scheme,
            endpoint=host or None,
            reqMethod="POST",
            reqTimeout=self.timeouts(),  # (connect, read), handed to requests as it is
        )
        client = SmsClient(
            Credential(settings.SMS_PROVIDER_KEY_ID, settings.SMS_PROVIDER_KEY_SECRET),
            settings.SMS_PROVIDER_REGION or self.default_region,
            ClientProfile(httpProfile=profile),
        )
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [e164(phone)]
        request.SmsSdkAppId = settings.SMS_PROVIDER_APP_ID
        request.SignName = settings.SMS_PROVIDER_SIGN_NAME
        request.TemplateId = template_code
        request.TemplateParamSet = [value for _, value in values]
        request.SessionContext = key[:500]
        statuses = client.SendSms(request).SendStatusSet or []
        if statuses and statuses[0].Code == "Ok":
            return ""
        if not statuses:
            return "no status in the answer"
        return f"{statuses[0].Code}: {statuses[0].Message or ''}"

    def describe(self, error: Exception, phone: str) -> str:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )

        if not isinstance(error, TencentCloudSDKException):
            return _no_answer(error)
        code, words = error.get_code(), error.get_message() or ""
        if code == "ClientNetworkError":  # no answer; its text quotes the request
            return f"{code}: {_no_answer(error)}"
        if code == "ServerNetworkError":  # an HTTP error status; its text is the body
            return f"{code} (an HTTP error status)"
        return f"{code}: {_without_numbers(words, phone)}"
