"""A branch that missed an expected meeting has its secretary told, in working hours, once
per period: one message naming every item that closed that day, to the branch's own
secretary only; the schedule and run_sweeps run the sweep."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from branches.models import OrgMeeting, OrgMeetingKind
from branches.orglife import org_meeting_delete, org_meeting_record
from branches.tests.orglife_seeded import seeded_lists  # noqa: F401
from governance.celery import app
from governance.org_life import sweep_org_life_reminders
from meetings.models import Notification

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL_DAY = override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24)


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


def sent():
    return Notification.objects.filter(kind=Notification.Kind.ORG_LIFE_OVERDUE)


@pytest.fixture
def expected(world):
    """Only the monthly committee meeting and the quarterly members' meeting are expected;
    A's second estate and B's branch held all theirs, A's first held none."""
    OrgMeetingKind.objects.exclude(name__in=["支部委员会会议", "支部党员大会"]).update(
        every_months=None
    )
    kinds = {k.name: k for k in OrgMeetingKind.objects.filter(every_months__isnull=False)}
    for estate in (world.a_estate2, world.b_estate):
        for kind in kinds.values():
            for month in range(1, 13):
                if at(2026, month, 5, 19) > timezone.now():
                    break  # a meeting still to come is not recorded
                org_meeting_record(
                    estate=estate, kind=kind, held_at=at(2026, month, 5, 19), topic="例会"
                )
    return kinds


def test_the_branchs_secretary_is_told_once_per_period(world, expected):
    assert sweep_org_life_reminders(now=at(2026, 4, 1, 10)) == 1
    message = sent().get()
    assert message.user == world.secretary_a1
    # March's committee meeting and Q1's members' meeting closed the same day: one message
    assert "支部委员会会议" in message.text and "支部党员大会" in message.text
    assert "2026-03" in message.text and "2026-01 – 2026-03" in message.text
    assert world.a_estate.name in message.subject
    # again the same day, and in May (Q1 is still the last quarter): nothing new about Q1
    assert sweep_org_life_reminders(now=at(2026, 4, 1, 15)) == 0
    assert sweep_org_life_reminders(now=at(2026, 5, 2, 10)) == 1
    may = sent().order_by("-pk").first()
    assert "2026-04" in may.text and "支部党员大会" not in may.text
    assert sent().count() == 2


def test_a_meeting_recorded_in_time_means_no_message(world, expected):
    for kind in expected.values():
        org_meeting_record(
            estate=world.a_estate, kind=kind, held_at=at(2026, 3, 31, 23, 30), topic="例会"
        )
    assert sweep_org_life_reminders(now=at(2026, 4, 1, 10)) == 0
    assert not sent().exists()


def test_nothing_outside_working_hours(world, expected):
    assert sweep_org_life_reminders(now=at(2026, 4, 1, 7)) == 0  # default hours 9–18
    assert sweep_org_life_reminders(now=at(2026, 4, 1, 9, 30)) == 1


@ALL_DAY
def test_run_sweeps_and_the_schedule_run_it(world, expected, capsys):
    with mock.patch.object(timezone, "now", return_value=at(2026, 4, 1, 10)):
        call_command("run_sweeps")
    assert "Organisational life overdue reminders: 1." in capsys.readouterr().out
    assert sent().count() == 1
    entries = {e["task"] for e in app.conf.beat_schedule.values()}
    assert "governance.tasks.sweep_org_life_reminders" in entries


def test_a_branch_without_a_secretary_tells_its_community_staff(world, expected):
    sweep_org_life_reminders(now=at(2026, 4, 1, 10))
    assert set(sent().values_list("user__username", flat=True)) == {"xinducheng"}
    # A's second branch (no secretary) did not meet in April: A's community staff are told
    for meeting in OrgMeeting.objects.filter(estate=world.a_estate2, held_at__month=4):
        org_meeting_delete(meeting=meeting)
    assert sweep_org_life_reminders(now=at(2026, 5, 1, 10)) == 2  # A's two branches
    told = {(m.user.username, m.subject) for m in sent()}
    assert ("guangda", f"{world.a_estate2.name}组织生活逾期未开") in told
    assert ("xinducheng", f"{world.a_estate.name}组织生活逾期未开") in told
    assert not sent().filter(user=world.staff_b).exists()  # never another community's
