"""The sweep's choices for return-visit reminders: due, not yet due, already sent, closed
meanwhile, night-time; each step once, to the right person. Due columns are set in the past
(no frozen clock); working hours are widened or narrowed around the real time."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from meetings.models import Appeal, Notification, Status
from meetings.reminders import reminder_times, sweep_return_visit_reminders
from meetings.services import (
    appeal_acknowledge,
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
)

ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)


@pytest.fixture
def resolved(world, new_appeal):
    """A resolved appeal whose handler is the secretary of its estate."""
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已修好")
    return appeal


def due_in_the_past(appeal, days_ago: float | None = None, *, due=None):
    """Make the return visit due `days_ago` days ago, the reminders at their first step."""
    due = due or timezone.now() - timedelta(days=days_ago)
    Appeal.objects.filter(pk=appeal.pk).update(
        return_visit_due_at=due, next_reminder_at=reminder_times(due)[0], visit_reminder_step=0
    )


def just_after_midnight_tomorrow():
    tomorrow = timezone.localtime().date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time(0, 1)))


def reminders(appeal):
    return Notification.objects.filter(appeal=appeal, kind__startswith="visit_")


def test_resolving_sets_the_first_reminder_the_morning_before_the_due_date(resolved):
    resolved.refresh_from_db()
    first = timezone.localtime(resolved.next_reminder_at)
    due = timezone.localtime(resolved.return_visit_due_at)
    assert first.date() == due.date() - timedelta(days=1)
    assert (first.hour, first.minute) == (9, 0)  # when working hours start
    assert resolved.visit_reminder_step == 0


@ALL_DAY
def test_not_yet_due_sends_nothing(resolved):
    assert sweep_return_visit_reminders() == 0
    assert not reminders(resolved).exists()


@ALL_DAY
def test_the_day_before_reminds_the_handler_once(world, resolved):
    due_in_the_past(resolved, due=just_after_midnight_tomorrow())  # only the day before is due
    assert sweep_return_visit_reminders() == 1
    assert sweep_return_visit_reminders() == 0  # the same sweep again
    message = reminders(resolved).get()
    assert message.user == world.secretary_a1  # the handler
    assert resolved.display_code in message.subject
    resolved.refresh_from_db()
    assert resolved.visit_reminder_step == 1


@ALL_DAY
def test_every_step_once_to_handler_then_secretary_then_community_staff(world, resolved):
    Appeal.objects.filter(pk=resolved.pk).update(handler=world.staff_a)
    due = timezone.now() - timedelta(days=5)
    due_in_the_past(resolved, due=due)
    # the sweep as it runs through the days: a minute after each step falls due, twice
    for when in reminder_times(due):
        for _ in range(2):
            sweep_return_visit_reminders(now=when + timedelta(minutes=1))
    sent = list(reminders(resolved).order_by("pk").values_list("kind", "user__username"))
    assert sent == [
        ("visit_reminder", "guangda"),  # the day before, to the handler
        ("visit_reminder", "guangda"),  # the due day, to the handler
        ("visit_escalation", "xinducheng"),  # +2 days: the branch secretary
        ("visit_escalation", "guangda"),  # +4 days: community staff
    ]
    resolved.refresh_from_db()
    assert resolved.next_reminder_at is None


@ALL_DAY
def test_after_a_pause_only_the_step_due_now_is_sent(world, resolved):
    due_in_the_past(resolved, 3)  # the sweep was down: day before, due day, +2 all passed
    assert sweep_return_visit_reminders() == 1
    assert sweep_return_visit_reminders() == 0
    assert list(reminders(resolved).values_list("kind", "user__username")) == [
        ("visit_escalation", "xinducheng")
    ]


@ALL_DAY
def test_acknowledging_a_resolved_appeal_changes_no_clock(world, resolved):
    due_in_the_past(resolved, 5)
    sweep_return_visit_reminders()
    resolved.refresh_from_db()
    before = (resolved.resolved_at, resolved.return_visit_due_at, resolved.visit_reminder_step)
    appeal_acknowledge(appeal=resolved, by=world.staff_a)
    resolved.refresh_from_db()
    assert (
        resolved.resolved_at,
        resolved.return_visit_due_at,
        resolved.visit_reminder_step,
    ) == before
    assert sweep_return_visit_reminders() == 0


@ALL_DAY
def test_an_appeal_closed_meanwhile_gets_no_reminder(world, resolved):
    due_in_the_past(resolved, 1)
    resolved.refresh_from_db()
    appeal_record_return_visit(
        appeal=resolved,
        by=world.secretary_a1,
        channel="phone",
        reached=True,
        solved=True,
        satisfaction="satisfied",
    )
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED and resolved.next_reminder_at is None
    assert sweep_return_visit_reminders() == 0
    assert not reminders(resolved).exists()


def test_at_night_it_waits_for_the_morning(resolved):
    due_in_the_past(resolved, 1)
    hour = timezone.localtime().hour
    with override_settings(
        WORKING_HOURS_START=(hour + 1) % 24, WORKING_HOURS_END=(hour + 2) % 24 or 24
    ):
        assert sweep_return_visit_reminders() == 0
    assert not reminders(resolved).exists()
    with ALL_DAY:
        assert sweep_return_visit_reminders() == 1


@ALL_DAY
def test_a_reminder_with_an_email_address_is_mailed_once(
    world, resolved, mailoutbox, django_capture_on_commit_callbacks
):
    world.secretary_a1.email = "sec@example.cn"
    world.secretary_a1.save()
    due_in_the_past(resolved, due=just_after_midnight_tomorrow())
    with django_capture_on_commit_callbacks(execute=True):
        sweep_return_visit_reminders()
    message = reminders(resolved).get()
    assert message.channel == "email" and message.delivered_at is not None
    assert [m.to for m in mailoutbox] == [["sec@example.cn"]]
    assert mailoutbox[0].alternatives  # an HTML part too


@ALL_DAY
def test_reminders_appear_in_the_staff_inbox_after_run_sweeps(client, world, resolved):
    from django.core.management import call_command

    from branches.models import OrgMeetingKind

    # The inbox should hold the reminder alone: no organisational meeting is expected here.
    OrgMeetingKind.objects.update(every_months=None)
    due_in_the_past(resolved, 0.2)
    call_command("run_sweeps")
    client.force_login(world.secretary_a1)
    html = client.get("/admin/").content.decode()
    assert re.search(r'id="unread-notifications">1\s*条未读消息<', html)
    listing = client.get("/admin/meetings/notification/?unread=yes").content.decode()
    assert resolved.display_code in listing


@ALL_DAY
def test_extending_the_return_visit_starts_the_reminders_afresh(client, world, resolved):
    due_in_the_past(resolved, due=just_after_midnight_tomorrow())
    assert sweep_return_visit_reminders() == 1
    client.force_login(world.staff_a)
    later = (timezone.localdate() + timedelta(days=2)).isoformat()
    client.post(
        reverse("admin:meetings_appeal_act", args=[resolved.pk, "extend_due"]),
        {"extend_due-until": later, "extend_due-reason": "居民出差"},
    )
    resolved.refresh_from_db()
    assert timezone.localtime(resolved.return_visit_due_at).date().isoformat() == later
    assert resolved.visit_reminder_step == 0
    assert sweep_return_visit_reminders() == 0  # not the day before the new date yet
    assert reminders(resolved).count() == 1
    # a day later, the day before the new date: reminded again, for the new date
    Appeal.objects.filter(pk=resolved.pk).update(next_reminder_at=timezone.now())
    assert sweep_return_visit_reminders() == 1
    assert reminders(resolved).count() == 2
