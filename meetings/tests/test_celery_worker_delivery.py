"""A real Celery worker on the real Redis: an appeal resolved with its return visit already
due, the sweep run (twice), and the handler's reminder is delivered exactly once; the
resident's text arrives in the file backend, once.

Needs REDIS_URL (CI has it) and PostgreSQL (the worker, another process, must read the test
database); skipped with the reason otherwise."""

import email
import json
import os
import subprocess
import sys
import time
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from governance.celery import app
from meetings.models import Appeal, Notification
from meetings.reminders import reminder_times, sweep_return_visit_reminders
from meetings.services import appeal_report_fix, appeal_route

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs a real Redis: set REDIS_URL"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (DATABASE_URL): the worker process reads the test database",
    ),
]


def _test_database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A worker process on a Redis database of its own (so no stray message reaches it),
    and this process publishing to the same one."""
    broker = REDIS_URL.rsplit("/", 1)[0] + "/13"
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        SECRET_KEY="worker-test-secret",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=broker,
        SMS_BACKEND="meetings.sms.FileBackend",
        SMS_FILE_PATH=str(tmp_path / "sms.jsonl"),
        # django-environ drops one leading slash of the path: four make it absolute
        EMAIL_URL=f"filemail:///{tmp_path / 'mail'}",
        PYTHONPATH=str(ROOT),
    )
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "governance", "purge", "-f"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "governance",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = broker, False
    # Even eager tasks take a producer from the pool: drop the pools made for the old broker.
    app._pool = None
    app.amqp._producer_pool = None
    try:
        deadline = time.monotonic() + 60
        while "ready." not in (tmp_path / "worker.log").read_text():
            assert process.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker did not start in 60 s"
            time.sleep(0.3)
        yield tmp_path
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None
        process.terminate()
        process.wait(timeout=30)
        log.close()


def mailed_subjects(folder: Path) -> list[str]:
    """The subjects of the mails Django's file backend wrote into `folder`."""
    subjects = []
    for log in folder.glob("*.log"):
        for raw in log.read_text().split("-" * 79):
            if raw.strip():
                message = email.message_from_string(raw.strip())
                subjects.append(str(make_header(decode_header(message["Subject"]))))
    return subjects


def wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


@override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)
def test_a_real_worker_delivers_the_reminder_exactly_once(worker, world, new_appeal):
    world.secretary_a1.email = "secretary@example.cn"
    world.secretary_a1.save()
    appeal = new_appeal(contact_phone="13912348888")
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已修好")
    # the return visit fell due a day ago: the first reminder step is due
    due = timezone.now() - timezone.timedelta(days=1)
    Appeal.objects.filter(pk=appeal.pk).update(
        return_visit_due_at=due, next_reminder_at=reminder_times(due)[0]
    )
    assert sweep_return_visit_reminders() == 1
    reminder = Notification.objects.get(appeal=appeal, kind="visit_reminder")
    assert wait_for(lambda: Notification.objects.get(pk=reminder.pk).delivered_at is not None)

    # the same task again (a redelivered message), and the sweep again: nothing more
    app.tasks["meetings.tasks.deliver_notification"].apply_async((reminder.pk,))
    assert sweep_return_visit_reminders() == 0  # the next step is days away
    time.sleep(2)
    reminder.refresh_from_db()
    assert reminder.attempts == 1 and reminder.last_error == ""
    assert mailed_subjects(worker / "mail").count(reminder.subject) == 1

    def resident_texted_twice():  # the code at filing, then "fixed: is it solved?"
        path = worker / "sms.jsonl"
        return path.exists() and len(path.read_text(encoding="utf-8").splitlines()) >= 2

    assert wait_for(resident_texted_twice)
    time.sleep(1)  # nothing more comes
    texts = [json.loads(line) for line in (worker / "sms.jsonl").read_text().splitlines()]
    assert [t["to"] for t in texts] == ["13912348888"] * 2
    assert all(appeal.display_code in t["text"] for t in texts)
    assert settings.CELERY_TASK_ACKS_LATE
