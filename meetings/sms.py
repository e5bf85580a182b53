"""Text messages to residents through a pluggable backend, chosen like EMAIL_BACKEND.

SMS_BACKEND names a class with one method, `send(phone: str, text: str, *, key: str,
kind: str = "", params: dict | None = None) -> None`, that raises SMSDeliveryError (or any
exception) when the message did not go out. A provider's backend wraps its HTTP API in such
a class; the platform records every attempt and retries.

`kind` is the message's kind (`Notification.Kind`: `sms_acknowledged`, a member text's
`commitment_reminder`, …) and `params` the values its text template filled in, by name
(`{"code": …, "url": …}`): a provider that sends only pre-approved templates
(meetings/sms_providers.py: Alibaba Cloud, Tencent Cloud) picks its template by the kind and
fills it with these; the others send `text`. A backend whose `send` does not name them is
not given them.

`key` is the message's unique key (`Notification.dedupe_key`): the same for every attempt at
one message, different for every other message. A backend hands it to the provider as its
idempotency key or out-id, so that a provider that drops repeats drops the one sent again
after a worker died between the provider's answer and the platform's record of it. Which
providers do, and what remains possible with the others, is in the README ("Background
work").

A backend written for the older `send(phone, text)` still works: it is called without the
key (so nothing can drop a repeat), and `manage.py check` warns about it (meetings.W001).

Included: ConsoleBackend (prints), FileBackend (appends a JSON line per message to
SMS_FILE_PATH) and MemoryBackend (keeps messages in `outbox`, for tests); the last two drop
a message whose key they already have, as a provider with idempotency would.

A backend class may say what it lacks to work (settings, a library) through a class method
`settings_problems() -> list[str]`; `manage.py check` reports each as an error
(meetings.E001), so a provider chosen without its settings is found before a text fails."""

import inspect
import json
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.utils import timezone
from django.utils.module_loading import import_string

try:
    import fcntl
except ImportError:  # not on Windows: the thread lock alone, enough for one process
    fcntl = None


class SMSDeliveryError(Exception):
    pass


class ConsoleBackend:
    def send(self, phone: str, text: str, *, key: str = "", kind: str = "", params=None) -> None:
        sys.stdout.write(f"SMS to {phone} [{key}]: {text}\n")
        sys.stdout.flush()


class FileBackend:
    """One JSON line per message; a message whose key is in the file already is dropped.
    Reads the whole file on each send: for the demo and tests, not for volume."""

    _lock = threading.Lock()

    def __init__(self, path=None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, phone: str, text: str, *, key: str = "", kind: str = "", params=None) -> None:
        line = json.dumps(
            {
                "to": phone,
                "text": text,
                "key": key,
                "kind": kind,
                "params": params or {},
                "at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a+", encoding="utf-8") as out:
            if fcntl:  # the worker's other processes append to the same file
                fcntl.flock(out, fcntl.LOCK_EX)
            out.seek(0)
            if key and any(key == json.loads(sent).get("key") for sent in out if sent.strip()):
                return  # a repeat: taken, not sent again
            out.write(line + "\n")


class MemoryBackend:
    outbox: list[tuple[str, str]] = []
    keys: list[str] = []  # the keys of the messages in the outbox (reset with it in tests)

    def send(self, phone: str, text: str, *, key: str = "", kind: str = "", params=None) -> None:
        if key and key in MemoryBackend.keys:
            return  # a repeat: taken, not sent again
        MemoryBackend.outbox.append((phone, text))
        MemoryBackend.keys.append(key)

    @classmethod
    def reset(cls) -> None:
        cls.outbox.clear()
        cls.keys.clear()


def takes(backend_class, name: str) -> bool:
    """Whether a backend's `send` accepts the keyword `name` (or any keyword)."""
    try:
        parameters = inspect.signature(backend_class.send).parameters.values()
    except (AttributeError, TypeError, ValueError):
        return False
    return any(p.name == name or p.kind is p.VAR_KEYWORD for p in parameters)


def takes_key(backend_class) -> bool:
    """Whether a backend's `send` accepts the `key` keyword (or any keyword)."""
    return takes(backend_class, "key")


def send_sms(phone: str, text: str, *, key: str, kind: str = "", params=None) -> None:
    backend = import_string(settings.SMS_BACKEND)()
    offered = {"key": key, "kind": kind, "params": dict(params or {})}
    # An older backend is given only what it names (without the key nothing can drop a repeat).
    backend.send(phone, text, **{k: v for k, v in offered.items() if takes(type(backend), k)})


@checks.register(checks.Tags.compatibility)
def check_sms_backend_takes_key(app_configs=None, **kwargs):
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError:
        return []  # named wrongly: every attempt fails, is recorded and shows in the admin
    if takes_key(backend):
        return []
    return [
        checks.Warning(
            f"{settings.SMS_BACKEND}.send() does not take the message's key.",
            hint=(
                "Add a keyword argument `key` to send() and pass it to the provider as its "
                "idempotency key or out-id; without it a text sent again after a worker died "
                "cannot be recognised as a repeat."
            ),
            id="meetings.W001",
        )
    ]


@checks.register(checks.Tags.compatibility)
def check_sms_backend_settings(app_configs=None, **kwargs):
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError:
        return []  # named wrongly: every attempt fails, is recorded and shows in the admin
    problems = getattr(backend, "settings_problems", None)
    if problems is None:
        return []
    return [
        checks.Error(
            f"{settings.SMS_BACKEND}: {problem}",
            hint="docs/sms.md lists each provider's settings.",
            id="meetings.E001",
        )
        for problem in problems()
    ]
