"""`run_sweeps` from cron with Redis down: it still does the database work (reminder steps
claimed, messages recorded, retention), says how many messages of which kinds it could not
hand over to Celery, and exits non-zero so that cron mails it; with the broker back it
exits 0 and the messages go out."""

import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from governance.celery import app
from governance.tests.live_worker import test_database_url
from meetings.models import Appeal, Notification
from meetings.reminders import reminder_times
from meetings.services import appeal_report_fix, appeal_route

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "redis://127.0.0.1:1/0"
REDIS_URL = os.environ.get("REDIS_URL", "")


@contextmanager
def broker(url):
    """Publish to `url` (no task runs in-process) inside the block."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = url, False
    app._pool = None  # the pools were made for the other broker
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        app._pool = None
        app.amqp._producer_pool = None


def undelivered():
    return Notification.objects.filter(delivered_at=None).exclude(channel="inbox")


@pytest.fixture
def reminder_due(world, new_appeal):
    """A resolved appeal whose return visit fell due: the sweep mails its handler."""
    world.secretary_a1.email = "sec@example.cn"
    world.secretary_a1.save()
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已修好")
    due = timezone.now() - timedelta(hours=5)
    Appeal.objects.filter(pk=appeal.pk).update(
        return_visit_due_at=due, next_reminder_at=reminder_times(due)[0]
    )
    return appeal


@pytest.mark.django_db(transaction=True)  # hand-overs run on commit, as in production
@override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)
def test_run_sweeps_says_what_it_could_not_hand_over_and_fails(reminder_due, new_appeal, capsys):
    from branches.models import OrgMeetingKind

    # This test counts the appeals' messages: no organisational meeting is expected here.
    OrgMeetingKind.objects.update(every_months=None)
    assert not undelivered().exists()  # the texts so far went out (tasks ran in-process)
    with broker(CLOSED_PORT):
        new_appeal(contact_phone="13912346666")  # filed while Redis is down: its text waits
        with pytest.raises(CommandError) as failed:
            call_command("run_sweeps")

    report = str(failed.value)
    assert "2 messages" in report
    assert "sms_submitted: 1" in report and "visit_reminder: 1" in report
    out = capsys.readouterr().out
    assert "Reminder steps sent: 1" in out  # the database work was done all the same
    assert "messages handed on: 0" in out
    reminder_due.refresh_from_db()
    assert reminder_due.visit_reminder_step > 0  # claimed: not sent again next time
    assert sorted(undelivered().values_list("kind", flat=True)) == [
        "sms_submitted",
        "visit_reminder",
    ]

    call_command("run_sweeps")  # the broker is back (here: tasks run in-process)
    assert "messages handed on: 2" in capsys.readouterr().out
    assert not undelivered().exists()


def run_sweeps_from_cron(broker_url: str):
    """`manage.py run_sweeps` as cron runs it: its own process, settings from the
    environment, on the test database."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings",
        SECRET_KEY="run-sweeps-test-secret",
        DATABASE_URL=test_database_url(),
        REDIS_URL=broker_url,
        SMS_BACKEND="meetings.sms.MemoryBackend",
        PYTHONPATH=str(ROOT),
    )
    command = [sys.executable, "manage.py", "run_sweeps"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(
    connection.vendor != "postgresql" or not REDIS_URL,
    reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): cron's process reads the "
    "test database and publishes to a real broker",
)
@pytest.mark.django_db(transaction=True)
def test_cron_gets_a_non_zero_exit_status_only_while_redis_is_down(world, new_appeal):
    import redis

    with broker(CLOSED_PORT):
        new_appeal(contact_phone="13912346666")  # its text is recorded, not handed over
    down = run_sweeps_from_cron(CLOSED_PORT)
    assert down.returncode != 0
    assert "could not hand 1 message over" in down.stderr.lower()
    assert "sms_submitted: 1" in down.stderr

    own_database = REDIS_URL.rsplit("/", 1)[0] + "/14"  # so no stray task reaches a worker
    try:
        up = run_sweeps_from_cron(own_database)
    finally:
        redis.Redis.from_url(own_database).flushdb()
    assert up.returncode == 0, up.stderr[-2000:]
    assert "messages handed on: 1" in up.stdout
