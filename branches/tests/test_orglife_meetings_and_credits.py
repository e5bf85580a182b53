"""Recording organisational-life meetings: attendance of the branch's members only, an
absence needs its reason, each member present is credited once in the ledger; turned absent,
removed or the meeting deleted, the credit is withdrawn; present again, credited again; a
meeting moved to another year moves its points."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from branches.models import ContributionEntry, OrgAttendance, OrgMeeting, OrgMeetingKind
from branches.orglife import (
    Attendance,
    org_meeting_change,
    org_meeting_delete,
    org_meeting_record,
)
from branches.tests.factories import MemberFactory
from branches.tests.orglife_seeded import seeded_lists  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")


def points(member, year=None):
    entries = ContributionEntry.objects.filter(member=member)
    if year:
        entries = entries.filter(on__year=year)
    return entries.aggregate(total=Sum("points"))["total"] or 0


@pytest.fixture
def kinds(db):
    return {
        "branch": OrgMeetingKind.objects.get(name="支部党员大会"),
        "group": OrgMeetingKind.objects.get(name="党小组会"),
    }


@pytest.fixture
def people(world):
    second = MemberFactory(estate=world.a_estate, group=world.a_group, category=world.category)
    return world.a_member, second


def record(world, kinds, attendance, **kw):
    kw.setdefault("held_at", datetime(2026, 3, 10, 19, 0, tzinfo=SHANGHAI))
    return org_meeting_record(
        estate=world.a_estate,
        kind=kinds["branch"],
        topic="学习党章",
        attendance=attendance,
        **kw,
    )


def test_each_member_present_is_credited_once_by_the_rule(world, kinds, people):
    first, second = people
    meeting = record(world, kinds, [Attendance(first), Attendance(second, False, "出差")])
    assert points(first) == 1 and points(second) == 0  # the seeded rule: 1 point a meeting
    # saved again as it is: nothing counts twice
    org_meeting_change(meeting=meeting, attendance=[(first, True, ""), (second, False, "出差")])
    assert points(first) == 1
    assert (
        ContributionEntry.objects.get(member=first).key == f"meeting:{meeting.pk}:member:{first.pk}"
    )


def test_absent_then_present_again_is_withdrawn_then_credited_again(world, kinds, people):
    first, second = people
    meeting = record(world, kinds, [Attendance(first), Attendance(second)])
    org_meeting_change(meeting=meeting, attendance=[(first, False, "生病"), (second, True, "")])
    assert points(first) == 0 and points(second) == 1
    org_meeting_change(meeting=meeting, attendance=[(first, True, ""), (second, True, "")])
    assert points(first) == 1
    org_meeting_change(meeting=meeting, attendance=[(second, True, "")])  # taken off the list
    assert points(first) == 0 and points(second) == 1
    assert not OrgAttendance.objects.filter(meeting=meeting, member=first).exists()
    org_meeting_change(meeting=meeting, attendance=[(second, True, ""), (first, True, "")])
    assert points(first) == 1  # put back on the list: credited again
    # the ledger kept every step: credit, withdrawal, credit, withdrawal, credit
    assert ContributionEntry.objects.filter(member=first).count() == 5


def test_deleting_the_meeting_withdraws_its_credits(world, kinds, people):
    first, second = people
    meeting = record(world, kinds, [Attendance(first), Attendance(second)])
    org_meeting_delete(meeting=meeting)
    assert points(first) == 0 and points(second) == 0
    assert not OrgMeeting.objects.filter(pk=meeting.pk).exists()


def test_a_meeting_moved_to_another_year_moves_its_points(world, kinds, people):
    first, _ = people
    meeting = record(world, kinds, [Attendance(first)])
    org_meeting_change(meeting=meeting, held_at=datetime(2025, 12, 30, 19, 0, tzinfo=SHANGHAI))
    assert points(first, 2026) == 0 and points(first, 2025) == 1


def test_only_members_of_the_branch_attend(world, kinds, people):
    with pytest.raises(ValidationError) as refused:
        record(world, kinds, [Attendance(world.b_member)])
    assert world.b_member.name in " ".join(refused.value.messages)  # says who
    assert not OrgMeeting.objects.exists() and not ContributionEntry.objects.exists()


def test_an_absence_needs_its_reason(world, kinds, people):
    with pytest.raises(ValidationError):
        record(world, kinds, [Attendance(people[0], False, "  ")])
    assert not OrgMeeting.objects.exists()


def test_a_meeting_still_to_come_is_not_recorded(world, kinds, people):
    """Its attendance would earn points dated in the future."""
    with pytest.raises(ValidationError) as refused:
        record(
            world,
            kinds,
            [Attendance(people[0], True, "")],
            held_at=timezone.now() + timedelta(hours=1),
        )
    assert "held_at" in refused.value.message_dict
    assert not OrgMeeting.objects.exists() and points(people[0]) == 0


def test_a_groups_meeting_needs_its_group(world, kinds, people):
    with pytest.raises(ValidationError) as refused:
        org_meeting_record(
            estate=world.a_estate,
            kind=kinds["group"],
            held_at=datetime(2026, 3, 10, 19, 0, tzinfo=SHANGHAI),
            topic="楼栋议事",
        )
    assert "group" in refused.value.message_dict
    meeting = org_meeting_record(
        estate=world.a_estate,
        group=world.a_group,
        kind=kinds["group"],
        held_at=datetime(2026, 3, 10, 19, 0, tzinfo=SHANGHAI),
        topic="楼栋议事",
    )
    assert meeting.group == world.a_group


def test_an_outsider_cannot_record_a_meeting_of_another_community(world, kinds, people):
    with pytest.raises(PermissionDenied):
        record(world, kinds, [Attendance(people[0])], by=world.staff_b)
    with pytest.raises(PermissionDenied):  # the committee reads only
        record(world, kinds, [Attendance(people[0])], by=world.town_user)
    assert record(world, kinds, [Attendance(people[0])], by=world.secretary_a1).recorded_by == (
        world.secretary_a1
    )
