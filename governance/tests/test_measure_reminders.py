"""A measure's owner is reminded before the due date through the survey tasks' messaging
(tracked work's sweep): one message, once; a new due date or a new owner re-arms it; a
finished measure is not reminded; the schedule and run_sweeps run it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings

from governance.celery import app
from governance.measures import (
    measure_done,
    measure_drop,
    measure_reassign,
    measure_set_due,
    sweep_measure_reminders,
)
from meetings.models import Notification

from .measure_helpers import in_days

ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)


def sent():
    return Notification.objects.filter(kind=Notification.Kind.MEASURE_REMINDER)


def when_due(m):
    m.refresh_from_db()
    return m.remind_at


@ALL_DAY
def test_the_owner_gets_one_message_once(world, measure):
    assert sweep_measure_reminders(now=when_due(measure) - timedelta(minutes=1)) == 0
    at = when_due(measure)
    assert sweep_measure_reminders(now=at) == 1
    assert sweep_measure_reminders(now=at + timedelta(hours=1)) == 0
    message = sent().get()
    assert message.user == world.secretary_a1
    assert message.dedupe_key == (
        f"measure:{measure.pk}:due:{measure.due_on}:user:{world.secretary_a1.pk}"
    )
    assert "加装楼道感应灯" in message.text and world.a_estate.name in message.subject
    assert f"/admin/governance/rectificationmeasure/{measure.pk}/change/" in message.text


@ALL_DAY
def test_a_new_due_date_re_arms_the_reminder(world, measure):
    sweep_measure_reminders(now=when_due(measure))
    measure_set_due(measure=measure, due_on=in_days(50), by=world.staff_a)
    later = when_due(measure)
    assert later is not None
    assert sweep_measure_reminders(now=later - timedelta(hours=1)) == 0
    assert sweep_measure_reminders(now=later) == 1
    assert sent().count() == 2  # one for each due date


@ALL_DAY
def test_a_new_owner_is_reminded(world, measure):
    sweep_measure_reminders(now=when_due(measure))
    measure_reassign(measure=measure, owner=world.staff_a, by=world.staff_a)
    assert sweep_measure_reminders(now=when_due(measure)) == 1
    assert [m.user for m in sent().order_by("pk")] == [world.secretary_a1, world.staff_a]


@ALL_DAY
@pytest.mark.parametrize("finish", ["done", "drop"])
def test_finished_measures_get_no_reminder(world, measure, finish):
    at = when_due(measure)
    if finish == "done":
        measure_done(measure=measure, by=world.staff_a)
    else:
        measure_drop(measure=measure, reason="资金未落实", by=world.staff_a)
    assert sweep_measure_reminders(now=at + timedelta(days=1)) == 0
    assert not sent().exists()


@ALL_DAY
def test_run_sweeps_and_the_schedule_send_them(world, measure, capsys):
    from unittest import mock

    from django.utils import timezone

    with mock.patch.object(timezone, "now", return_value=when_due(measure)):
        call_command("run_sweeps")
    assert "measure reminders: 1" in capsys.readouterr().out
    assert sent().count() == 1
    entries = {e["task"] for e in app.conf.beat_schedule.values()}
    assert "governance.tasks.sweep_measure_reminders" in entries
