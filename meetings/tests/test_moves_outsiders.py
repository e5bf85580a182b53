"""The services refuse outsiders themselves, whoever calls them (a page, a task, an API): a
move on an appeal outside the user's scope, an appeal entered for another community's
estate, a change of handler or due date, an outcome recorded at a meeting of another place.
Nothing of it is written."""

from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.utils import timezone

from meetings.models import Appeal, AppealEvent, Meeting, MeetingType, Status
from meetings.moves import Refusal
from meetings.services import (
    MoveRefused,
    appeal_extend_due,
    appeal_reassign,
    appeal_route,
    appeal_submit,
    meeting_add_to_agenda,
    meeting_close,
)
from meetings.tests.test_appeal_moves import ALLOWED_FROM, perform

STAFF_MOVES = sorted(name for name in ALLOWED_FROM if name != "withdraw")


@pytest.mark.parametrize("name", STAFF_MOVES)
def test_every_move_on_another_communitys_appeal_is_refused(
    world, appeal_in, meeting, department, new_appeal, name
):
    appeal = appeal_in(sorted(ALLOWED_FROM[name])[0])
    original = new_appeal(title="更早的同一问题")
    before = AppealEvent.objects.filter(appeal=appeal).count()
    outsider = SimpleNamespace(staff_a=world.staff_b)  # perform() acts as `staff_a`
    with override_settings(APPEAL_UNREACHABLE_ATTEMPTS=1), pytest.raises(MoveRefused) as refused:
        perform(
            name, appeal, world=outsider, meeting=meeting, department=department, original=original
        )
    assert refused.value.kind == Refusal.NOT_FOUND
    assert AppealEvent.objects.filter(appeal=appeal).count() == before
    assert Appeal.objects.get(pk=appeal.pk).status == appeal.status


def test_no_appeal_is_entered_for_another_communitys_estate(world, category):
    with pytest.raises(MoveRefused) as refused:
        appeal_submit(
            estate=world.b_estate,
            category=category,
            title="越界",
            description="越界录入",
            by=world.staff_a,
        )
    assert refused.value.kind == Refusal.NOT_FOUND
    assert not Appeal.objects.filter(title="越界").exists()


def test_the_town_committee_enters_no_appeal(world, category):
    with pytest.raises(MoveRefused):
        appeal_submit(
            estate=world.a_estate,
            category=category,
            title="只读",
            description="d",
            by=world.town_user,
        )
    assert not Appeal.objects.filter(title="只读").exists()


def test_an_outsider_neither_reassigns_nor_extends(world, new_appeal):
    appeal = new_appeal()
    with pytest.raises(MoveRefused) as refused:
        appeal_reassign(appeal=appeal, by=world.staff_b, handler=world.staff_b)
    assert refused.value.kind == Refusal.NOT_FOUND
    with pytest.raises(MoveRefused) as refused:
        appeal_extend_due(
            appeal=appeal,
            by=world.staff_b,
            until=timezone.now() + timezone.timedelta(days=30),
            reason="越界",
        )
    assert refused.value.kind == Refusal.NOT_FOUND
    assert not AppealEvent.objects.filter(appeal=appeal).exclude(kind="submitted").exists()


def test_no_outcome_is_recorded_at_a_meeting_of_another_place(world, new_appeal):
    appeal = new_appeal()
    elsewhere = Meeting.objects.create(type=MeetingType.PARTY_MASSES, community=world.b)
    elsewhere.agenda.add(appeal)  # however it got there
    with pytest.raises(MoveRefused) as refused:
        appeal_route(appeal=appeal, to="coordinate", by=world.staff_a, meeting=elsewhere)
    assert refused.value.kind == Refusal.NOT_FOUND
    assert Appeal.objects.get(pk=appeal.pk).status == Status.RECEIVED


def test_a_secretary_records_nothing_at_a_meeting_of_the_whole_community(world, new_appeal):
    appeal = new_appeal()
    whole = Meeting.objects.create(type=MeetingType.PARTY_MASSES, community=world.a)
    whole.agenda.add(appeal)
    with pytest.raises(MoveRefused):
        appeal_route(appeal=appeal, to="coordinate", by=world.secretary_a1, meeting=whole)
    assert Appeal.objects.get(pk=appeal.pk).status == Status.RECEIVED


def test_an_outsider_changes_no_meeting(world, new_appeal, meeting):
    m = meeting(MeetingType.PARTY_MASSES, minutes="纪要", head_count=9)
    with pytest.raises(MoveRefused) as refused:
        meeting_add_to_agenda(meeting=m, appeal=new_appeal(), by=world.staff_b)
    assert refused.value.kind == Refusal.NOT_FOUND
    with pytest.raises(MoveRefused):
        meeting_close(meeting=m, by=world.staff_b)
    m.refresh_from_db()
    assert not m.agenda.exists() and m.closed_at is None


def test_an_appeal_goes_only_on_an_agenda_of_its_own_place(world, new_appeal, meeting):
    estate_meeting = meeting(MeetingType.PARTY_MASSES)  # of A's first estate
    other_estate = new_appeal(estate=world.a_estate2, building=world.a2_building, title="别处")
    with pytest.raises(MoveRefused) as refused:
        meeting_add_to_agenda(meeting=estate_meeting, appeal=other_estate, by=world.staff_a)
    assert refused.value.kind == Refusal.INVALID
    assert not estate_meeting.agenda.exists()
    whole = Meeting.objects.create(type=MeetingType.PARTY_MASSES, community=world.a)
    meeting_add_to_agenda(meeting=whole, appeal=other_estate, by=world.staff_a)
    assert list(whole.agenda.all()) == [other_estate]
