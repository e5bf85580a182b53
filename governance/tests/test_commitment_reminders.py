"""Reminders before a group commitment's due date: COMMITMENT_REMINDER_DAYS before it, the
group's leader by text message and the estate's branch secretary in the admin, once per
commitment and due date; again for a new due date; never for a verified commitment; in
working hours only."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from branches.commitments import (
    commitment_change,
    commitment_progress,
    commitment_verify,
)
from branches.tests.ledger_helpers import commitment_for, due_in_year
from governance.commitment_reminders import sweep_commitment_reminders
from meetings.models import Notification
from meetings.sms import MemoryBackend

KIND = Notification.Kind.COMMITMENT_REMINDER


def at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=hour)))


def reminders():
    return Notification.objects.filter(kind=KIND)


@pytest.fixture
def commitment(world, settings):
    settings.COMMITMENT_REMINDER_DAYS = 7
    return commitment_for(world, due_on=due_in_year(20))


def test_nothing_before_the_reminder_day(world, commitment):
    assert sweep_commitment_reminders(now=at(due_in_year(12))) == 0
    assert not reminders().exists()


def test_the_leader_and_the_secretary_are_reminded_once(
    world, commitment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_commitment_reminders(now=at(due_in_year(13))) == 1
    assert sweep_commitment_reminders(now=at(due_in_year(14))) == 0
    sent = {(n.channel, n.user_id, n.address) for n in reminders()}
    assert sent == {
        ("sms", None, world.a_member.phone),  # the group's leader, a member without account
        ("inbox", world.secretary_a1.pk, ""),  # the estate's branch secretary
    }
    assert [phone for phone, _text in MemoryBackend.outbox] == [world.a_member.phone]
    assert commitment.text in MemoryBackend.outbox[0][1]
    # another community's staff hear nothing
    assert not reminders().filter(user__in=[world.staff_b, world.staff_a]).exists()


def test_a_second_sweep_that_lost_the_claim_sends_nothing_again(world, commitment):
    sweep_commitment_reminders(now=at(due_in_year(13)))
    commitment.refresh_from_db()
    commitment.remind_at = at(due_in_year(13), 9)  # as if the sweep ran again from a stale read
    commitment.save(update_fields=["remind_at"])
    sweep_commitment_reminders(now=at(due_in_year(13), 11))
    assert reminders().count() == 2  # the keys: once per commitment and due date


def test_a_new_due_date_is_reminded_again(world, commitment):
    sweep_commitment_reminders(now=at(due_in_year(13)))
    commitment_change(
        commitment=commitment, text=commitment.text, due_on=due_in_year(27), members=[]
    )
    assert sweep_commitment_reminders(now=at(due_in_year(19))) == 0
    assert sweep_commitment_reminders(now=at(due_in_year(20))) == 1
    assert reminders().filter(dedupe_key__contains=f"{due_in_year(27):%Y-%m-%d}").count() == 2


def test_a_verified_commitment_is_not_reminded(world, commitment):
    commitment_progress(commitment=commitment, progress=100)
    commitment_verify(commitment=commitment, by=world.secretary_a1)
    assert sweep_commitment_reminders(now=at(due_in_year(13))) == 0
    assert not reminders().exists()


def test_only_in_working_hours(world, commitment):
    assert sweep_commitment_reminders(now=at(due_in_year(13), 22)) == 0
    assert sweep_commitment_reminders(now=at(due_in_year(14), 9)) == 1


def test_a_commitment_due_sooner_than_the_days_is_reminded_at_once(world, settings):
    settings.COMMITMENT_REMINDER_DAYS = 7
    today = timezone.localdate()
    if today.month == 12 and today.day > 28:
        pytest.skip("the year ends before the due date")
    commitment = commitment_for(world, due_on=today + timedelta(days=2))
    assert commitment.remind_at <= timezone.now()
    assert sweep_commitment_reminders(now=at(today, 10)) == 1
