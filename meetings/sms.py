"""Text messages to residents through a pluggable backend, chosen like EMAIL_BACKEND.

SMS_BACKEND names a class with one method, `send(phone: str, text: str) -> None`, that
raises SMSDeliveryError (or any exception) when the message did not go out. A provider's
backend wraps its HTTP API in such a class; the platform records every attempt and retries.

Included: ConsoleBackend (prints), FileBackend (appends a JSON line per message to
SMS_FILE_PATH) and MemoryBackend (keeps messages in `outbox`, for tests)."""

import json
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SMSDeliveryError(Exception):
    pass


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        sys.stdout.write(f"SMS to {phone}: {text}\n")
        sys.stdout.flush()


class FileBackend:
    _lock = threading.Lock()

    def __init__(self, path=None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send(self, phone: str, text: str) -> None:
        line = json.dumps(
            {"to": phone, "text": text, "at": timezone.now().isoformat()}, ensure_ascii=False
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class MemoryBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemoryBackend.outbox.append((phone, text))


def send_sms(phone: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(phone, text)
