"""With Redis (broker and cache) refusing connections, a resident still files an appeal and
staff still make a move: both succeed, nothing is lost, and the messages that could not be
handed to Celery go out once the sweep runs with a working broker.

Each phase runs in a fresh process with the real settings read from the environment, as a
deployment would, against a SQLite file."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "redis://127.0.0.1:1/0"

FILE_AND_MOVE = r"""
import json, time, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from django.conf import settings
from governance.celery import app
from branches.models import Estate
from meetings.models import Appeal, AppealCategory, Notification

estate = Estate.objects.get(name="新都城")
start = time.monotonic()
resident = Client(REMOTE_ADDR="10.1.2.3")
filed = resident.post("/appeals/new/", {
    "estate": estate.pk, "category": AppealCategory.objects.first().pk,
    "title": "断网时提交的诉求", "description": "Redis 不可用时也要保存", "contact_name": "测试",
    "contact_phone": "13912349999", "consent": "on",
})
filing_seconds = time.monotonic() - start
appeal = Appeal.objects.get(title="断网时提交的诉求")
staff = Client()
staff.post("/accounts/login/", {"username": "guangda", "password": "demo-2026"})
start = time.monotonic()
moved = staff.post(f"/admin/meetings/appeal/{appeal.pk}/act/acknowledge/",
                   {"acknowledge-public_note": "已收到"}, follow=True)
move_seconds = time.monotonic() - start
appeal.refresh_from_db()
print(json.dumps({
    "filed": filed.status_code,
    "moved": moved.status_code,
    "move_message": "已完成" in moved.content.decode(),
    "acknowledged": appeal.acknowledged_at is not None,
    "code": appeal.display_code,
    "undelivered": Notification.objects.filter(appeal=appeal, delivered_at=None).count(),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "connect_timeout": app.conf.broker_connection_timeout,
    "publish_retry": app.conf.task_publish_retry,
    "transport_connect_timeout": app.conf.broker_transport_options.get("socket_connect_timeout"),
    "filing_seconds": filing_seconds,
    "move_seconds": move_seconds,
}))
"""

DELIVERED = r"""
import json, django
django.setup()
from meetings.models import Appeal, Notification
appeal = Appeal.objects.get(title="断网时提交的诉求")
print(json.dumps({
    "undelivered": Notification.objects.filter(appeal=appeal, delivered_at=None).count(),
    "delivered": Notification.objects.filter(appeal=appeal).exclude(delivered_at=None).count(),
}))
"""


def run(env, *args, code=None):
    command = [sys.executable, *(["-c", code] if code else ["manage.py", *args])]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture
def deployment(tmp_path):
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        SMS_BACKEND="meetings.sms.FileBackend",
        SMS_FILE_PATH=str(tmp_path / "sms.jsonl"),
        EMAIL_URL="consolemail://",
        PYTHONPATH=str(ROOT),
    )
    run(env, "migrate", "--noinput")
    run(env, "seed_demo")
    (tmp_path / "sms.jsonl").unlink(missing_ok=True)  # only what happens from here on
    return env, tmp_path


def test_filing_and_moving_succeed_with_redis_down_and_the_sweep_delivers_later(deployment):
    env, tmp = deployment
    down = {**env, "REDIS_URL": CLOSED_PORT}
    started = time.monotonic()
    result = json.loads(run(down, code=FILE_AND_MOVE).stdout.strip().splitlines()[-1])
    assert time.monotonic() - started < 120
    filing, move = result["filing_seconds"], result["move_seconds"]
    print(f"redis down: filing took {filing:.2f} s, the move {move:.2f} s")

    assert result["filed"] == 302  # the resident sees the success page
    assert result["moved"] == 200 and result["move_message"] and result["acknowledged"]
    assert result["undelivered"] == 2  # the texts "your code is…" and "acknowledged" wait
    assert result["eager"] is False
    assert result["connect_timeout"] <= 1 and result["transport_connect_timeout"] <= 1
    assert result["publish_retry"] is False
    # a dead broker costs seconds, not a hung request
    assert result["filing_seconds"] < 15 and result["move_seconds"] < 15
    assert not (tmp / "sms.jsonl").exists()

    # The broker is back (here: tasks run in-process): the sweep sends it, once.
    run(env, "run_sweeps")
    run(env, "run_sweeps")
    after = json.loads(run(env, code=DELIVERED).stdout.strip().splitlines()[-1])
    assert after == {"undelivered": 0, "delivered": 2}
    lines = (tmp / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    # the sweep also texts the demo's group leaders about commitments coming due: not ours
    lines = [line for line in lines if not json.loads(line)["key"].startswith("commitment:")]
    assert len(lines) == 2 and all(result["code"] in json.loads(line)["text"] for line in lines)
