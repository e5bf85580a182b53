"""The SMS witness of the topology test (test_topology_workers_and_beat.py), loaded by its
Celery workers as SMS_BACKEND.

Unlike meetings.sms.FileBackend, which drops a text whose key it has already taken (as a
provider with idempotency would, and so would hide a text the platform sent twice), this
provider writes down every text it is given: one JSON line in SMS_FILE_PATH per send, with the
message's key and the worker that sent it (TOPOLOGY_WORKER in that worker's environment).

The first text any worker is given is not sent: that worker writes a line to
`<SMS_FILE_PATH>.held` (the text's key, the worker, the Celery task) and waits, holding the
task, until the test kills it."""

import json
import os
import time
from pathlib import Path

from celery import current_task
from django.conf import settings

HOLD_SECONDS = 60  # far longer than the test waits before it kills the worker


def _append(path: Path, line: dict) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def _first_text(path: Path) -> bool:
    """Whether this is the first text any worker was given (the file says who took it)."""
    try:
        os.close(os.open(path.with_suffix(".first"), os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


class WitnessBackend:
    def send(self, phone: str, text: str, *, key: str = "", kind: str = "", params=None) -> None:
        path = Path(settings.SMS_FILE_PATH)
        worker = os.environ.get("TOPOLOGY_WORKER", "")
        if _first_text(path):
            task = current_task.request.id if current_task else ""
            _append(path.with_suffix(".held"), {"key": key, "worker": worker, "task": task})
            time.sleep(HOLD_SECONDS)
            raise RuntimeError("the worker holding the first text was not killed")
        _append(path, {"to": phone, "key": key, "kind": kind, "worker": worker})
