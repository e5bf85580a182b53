"""A staff user's messages (inbox and e-mail) are written in the language they chose with the
language switch; one who never chose reads Chinese."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from branches.models import StaffPreference
from meetings.models import Appeal, Notification
from meetings.reminders import reminder_times, sweep_digests, sweep_return_visit_reminders
from meetings.services import appeal_report_fix, appeal_route

ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)


def switch(client, user, language):
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": language, "next": "/admin/"})
    assert response.status_code == 302
    return response


@pytest.fixture
def visit_due_today(world, new_appeal):
    """A resolved appeal, handled by the estate's secretary, its return visit due today."""
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已修好")
    due = timezone.now() - timedelta(hours=1)
    Appeal.objects.filter(pk=appeal.pk).update(
        return_visit_due_at=due, next_reminder_at=reminder_times(due)[0], visit_reminder_step=0
    )
    return appeal


def test_the_switch_remembers_a_staff_users_choice(client, world):
    switch(client, world.staff_a, "en")
    assert StaffPreference.objects.get(user=world.staff_a).language == "en"
    switch(client, world.staff_a, "zh-hans")
    assert StaffPreference.objects.get(user=world.staff_a).language == "zh-hans"


def test_a_superuser_without_a_scope_has_a_choice_too(client, world):
    switch(client, world.superuser, "en")
    assert StaffPreference.objects.get(user=world.superuser).language == "en"


def test_a_visitor_switching_language_leaves_no_preference(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    assert not StaffPreference.objects.exists()


def test_an_unknown_language_is_not_remembered(client, world):
    client.force_login(world.staff_a)
    client.post(reverse("set_language"), {"language": "xx", "next": "/admin/"})
    assert not StaffPreference.objects.exists()


@ALL_DAY
def test_a_staff_user_who_chose_english_gets_the_next_reminder_in_english(
    client, world, visit_due_today
):
    switch(client, world.secretary_a1, "en")
    assert sweep_return_visit_reminders() == 1
    message = Notification.objects.get(appeal=visit_due_today, user=world.secretary_a1)
    assert message.subject.startswith("Return visit due today")
    assert "call the resident" in message.text and "call the resident" in message.html


@ALL_DAY
def test_a_staff_user_who_never_chose_gets_the_reminder_in_chinese(world, visit_due_today):
    assert sweep_return_visit_reminders() == 1
    message = Notification.objects.get(appeal=visit_due_today, user=world.secretary_a1)
    assert message.subject.startswith("今天回访到期")


@ALL_DAY
def test_the_daily_digest_is_in_each_recipients_language(client, world, new_appeal):
    appeal = new_appeal()
    Appeal.objects.filter(pk=appeal.pk).update(
        handler=world.staff_a, next_due_at=timezone.now() - timedelta(days=2)
    )
    switch(client, world.staff_a, "en")
    assert sweep_digests() == 2  # the handler and the estate's secretary
    english = Notification.objects.get(kind="digest", user=world.staff_a)
    chinese = Notification.objects.get(kind="digest", user=world.secretary_a1)
    assert "overdue appeal" in english.subject and "received" in english.text
    assert "逾期诉求" in chinese.subject and "已接收" in chinese.text
