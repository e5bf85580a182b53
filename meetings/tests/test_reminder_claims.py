"""Two sweeps at once: a reminder step is claimed by one of them only. The second sweep read
the appeal before the first claimed it; its conditional UPDATE then finds the step taken (or
the appeal visited meanwhile) and it sends nothing, nor moves the reminders back."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import override_settings
from django.utils import timezone

from meetings import reminders
from meetings.models import Appeal, Notification
from meetings.services import (
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
)

ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)


@pytest.fixture
def overdue_visit(world, new_appeal):
    """Fixed five days ago: its return visit is two days late, every early step due."""
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    appeal_report_fix(
        appeal=appeal,
        by=world.secretary_a1,
        public_note="已修好",
        at=timezone.now() - timedelta(days=5),
    )
    return appeal


def meanwhile(action):
    """Run `action` once inside the sweep, after it read the due appeals and before it claims
    the first one: what another worker does in between."""
    real = reminders.reminder_times
    done = []

    def times(due):
        if not done:
            done.append(True)
            action()
        return real(due)

    return mock.patch.object(reminders, "reminder_times", side_effect=times)


@ALL_DAY
def test_a_step_another_sweep_claimed_is_not_claimed_again(overdue_visit):
    with meanwhile(reminders.sweep_return_visit_reminders):
        claimed_by_the_slower = reminders.sweep_return_visit_reminders()
    assert claimed_by_the_slower == 0
    overdue_visit.refresh_from_db()
    step, next_at = overdue_visit.visit_reminder_step, overdue_visit.next_reminder_at
    assert step == 3  # the step due now (to the secretary), claimed once
    assert (
        Notification.objects.filter(appeal=overdue_visit).filter(kind="visit_escalation").count()
        == 1
    )
    # and the slower sweep did not set the reminders back to what it had read
    reminders.sweep_return_visit_reminders()
    overdue_visit.refresh_from_db()
    assert (overdue_visit.visit_reminder_step, overdue_visit.next_reminder_at) == (step, next_at)


@ALL_DAY
def test_an_appeal_visited_meanwhile_gets_no_reminder(world, overdue_visit):
    def visit():
        appeal_record_return_visit(
            appeal=Appeal.objects.get(pk=overdue_visit.pk),
            by=world.secretary_a1,
            channel="phone",
            reached=True,
            solved=True,
            satisfaction="satisfied",
        )

    with meanwhile(visit):
        assert reminders.sweep_return_visit_reminders() == 0
    assert not Notification.objects.filter(appeal=overdue_visit, kind__startswith="visit_").exists()
