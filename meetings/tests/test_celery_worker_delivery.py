"""A real Celery worker on the real Redis: an appeal resolved with its return visit already
due, the sweep run (twice), and the handler's reminder is delivered exactly once; the
resident's text arrives in the file backend, once.

Needs REDIS_URL (CI has it) and PostgreSQL (the worker, another process, must read the test
database); skipped with the reason otherwise."""

import email
import json
import time
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from governance.celery import app
from governance.tests.live_worker import REDIS_URL, needs_worker, running_worker, wait_for
from meetings.models import Appeal, Notification
from meetings.reminders import reminder_times, sweep_return_visit_reminders
from meetings.services import appeal_report_fix, appeal_route

pytestmark = needs_worker


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A worker on a Redis database of its own (so no stray message reaches it), writing
    texts and mails to files in tmp_path."""
    with running_worker(
        tmp_path / "worker.log",
        broker=REDIS_URL.rsplit("/", 1)[0] + "/13",
        SMS_BACKEND="meetings.sms.FileBackend",
        SMS_FILE_PATH=str(tmp_path / "sms.jsonl"),
        # django-environ drops one leading slash of the path: four make it absolute
        EMAIL_URL=f"filemail:///{tmp_path / 'mail'}",
    ):
        yield tmp_path


def mailed_subjects(folder: Path) -> list[str]:
    """The subjects of the mails Django's file backend wrote into `folder`."""
    subjects = []
    for log in folder.glob("*.log"):
        for raw in log.read_text().split("-" * 79):
            if raw.strip():
                message = email.message_from_string(raw.strip())
                subjects.append(str(make_header(decode_header(message["Subject"]))))
    return subjects


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
