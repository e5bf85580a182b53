"""A survey task's owner is reminded SURVEY_TASK_REMINDER_DAYS before the due date (09:00),
once per task, due date and owner: a new due date moves the reminder, a new owner is
reminded, a finished task is not, and two sweeps at once send it once."""

import threading
from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from branches.models import StaffPreference
from meetings.models import Notification
from zeroindex import reminders, services
from zeroindex.models import SurveyTask

from .survey_helpers import in_days, make_round

ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)


def sent(kind="task_reminder"):
    return Notification.objects.filter(kind=kind)


def when_due(the_task):
    """The moment the reminder of the task, as it is now, falls due."""
    the_task.refresh_from_db()
    return the_task.remind_at


def test_the_reminder_is_set_days_before_the_due_date_at_nine(task):
    day = task.due_on - timedelta(days=settings.SURVEY_TASK_REMINDER_DAYS)
    assert timezone.localtime(task.remind_at) == timezone.make_aware(datetime.combine(day, time(9)))


@ALL_DAY
def test_one_reminder_per_task_and_due_date(world, task):
    assert reminders.sweep_task_reminders(now=when_due(task) - timedelta(minutes=1)) == 0
    at = when_due(task)
    assert reminders.sweep_task_reminders(now=at) == 1
    assert reminders.sweep_task_reminders(now=at + timedelta(hours=1)) == 0
    message = sent().get()
    assert message.user == world.secretary_a1
    assert message.dedupe_key == f"task:{task.pk}:due:{task.due_on}:user:{world.secretary_a1.pk}"
    assert task.title in message.subject or task.title in message.text
    assert f"/admin/zeroindex/surveytask/{task.pk}/change/" in message.text


@ALL_DAY
def test_a_new_due_date_moves_the_reminder(world, task):
    reminders.sweep_task_reminders(now=when_due(task))
    services.task_set_due(task=task, due_on=in_days(20), by=world.secretary_a1)
    later = when_due(task)
    assert timezone.localdate(later) == in_days(20 - settings.SURVEY_TASK_REMINDER_DAYS)
    assert reminders.sweep_task_reminders(now=later - timedelta(hours=1)) == 0
    assert reminders.sweep_task_reminders(now=later) == 1
    assert sent().count() == 2  # one for each due date


@ALL_DAY
def test_a_reassigned_task_reminds_the_new_owner(world, task):
    reminders.sweep_task_reminders(now=when_due(task))
    services.task_reassign(task=task, owner=world.staff_a, by=world.secretary_a1)
    assert reminders.sweep_task_reminders(now=when_due(task)) == 1
    assert [m.user for m in sent().order_by("pk")] == [world.secretary_a1, world.staff_a]


@ALL_DAY
@pytest.mark.parametrize("finish", ["done", "drop"])
def test_done_or_dropped_tasks_get_no_reminder(world, task, finish):
    at = when_due(task)
    if finish == "done":
        services.task_done(task=task, by=world.secretary_a1)
    else:
        services.task_drop(task=task, reason="不做了", by=world.secretary_a1)
    assert reminders.sweep_task_reminders(now=at + timedelta(days=1)) == 0
    assert not sent().exists()


def test_no_reminder_outside_working_hours(task):
    at = timezone.make_aware(datetime.combine(timezone.localdate(when_due(task)), time(3)))
    with override_settings(WORKING_HOURS_START=9, WORKING_HOURS_END=18):
        assert reminders.sweep_task_reminders(now=at + timedelta(days=1)) == 0
    assert not sent().exists()


@ALL_DAY
def test_a_sweep_that_read_the_task_before_another_claimed_it_sends_nothing(world, task):
    at = when_due(task)
    done = []
    original_filter = SurveyTask.objects.filter

    def meanwhile(*args, **kwargs):
        if "remind_at" in kwargs and not done:  # the claim: another sweep got there first
            done.append(True)
            original_filter(pk=task.pk).update(remind_at=None)
        return original_filter(*args, **kwargs)

    with mock.patch.object(SurveyTask.objects, "filter", side_effect=meanwhile):
        assert reminders.sweep_task_reminders(now=at) == 0
    assert not sent().exists()


@ALL_DAY
def test_the_reminder_is_in_the_owners_language(world, task):
    StaffPreference.objects.create(user=world.secretary_a1, language="en")
    reminders.sweep_task_reminders(now=when_due(task))
    assert sent().get().subject.startswith("Survey task due in")
    services.task_reassign(task=task, owner=world.staff_a, by=world.secretary_a1)
    reminders.sweep_task_reminders(now=when_due(task))
    assert sent().order_by("pk").last().subject.startswith("任务清单事项")


@ALL_DAY
def test_run_sweeps_sends_them(world, task, capsys):
    SurveyTask.objects.filter(pk=task.pk).update(remind_at=timezone.now() - timedelta(minutes=1))
    call_command("run_sweeps")
    assert "survey task reminders: 1" in capsys.readouterr().out
    assert sent().count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises all writers",
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_sweeps_at_once_send_once(world, attempt):
    survey = make_round(world.a_estate, title=f"并发{attempt}", suggestions=5)
    services.task_create_from_suggestions(
        suggestions=survey.suggestions.all(), owner=world.secretary_a1, due_on=in_days(1)
    )
    barrier = threading.Barrier(2)
    counts = []

    def sweep():
        try:
            barrier.wait()
            with override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24):
                counts.append(reminders.sweep_task_reminders())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sum(counts) == 5
    assert sent().count() == 5
    assert sent().values("dedupe_key").distinct().count() == 5
