"""Who may make a move: the meeting the table names, the secretary for a simple matter, the
handler, the resident; nobody outside the appeal's community; never the town committee."""

import pytest
from django.utils import timezone

from meetings.models import AppealEvent, MeetingType, Status
from meetings.services import (
    MoveRefused,
    appeal_acknowledge,
    appeal_decline,
    appeal_report_fix,
    appeal_route,
    appeal_withdraw,
)


def test_a_secretary_routes_a_simple_matter_directly_and_the_event_says_so(world, new_appeal):
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    assert appeal.status == Status.IN_PROGRESS
    event = AppealEvent.objects.filter(appeal=appeal).latest("pk")
    assert event.direct_by_secretary and event.meeting is None
    assert event.actor == world.secretary_a1


def test_community_staff_needs_the_party_masses_meeting_to_route(world, new_appeal, meeting):
    appeal = new_appeal()
    with pytest.raises(MoveRefused, match="会议"):
        appeal_route(appeal=appeal, to="handle", by=world.staff_a)
    m = meeting(MeetingType.PARTY_MASSES, appeal)
    appeal_route(appeal=appeal, to="handle", by=world.staff_a, meeting=m)
    event = AppealEvent.objects.filter(appeal=appeal).latest("pk")
    assert event.meeting == m and not event.direct_by_secretary


@pytest.mark.parametrize("to", ["coordinate", "major"])
def test_even_a_secretary_needs_the_meeting_for_coordination_or_a_hearing(world, new_appeal, to):
    appeal = new_appeal()
    with pytest.raises(MoveRefused):
        appeal_route(appeal=appeal, to=to, by=world.secretary_a1)
    assert appeal.status == Status.RECEIVED


def test_the_wrong_meeting_type_is_refused(world, new_appeal, meeting):
    appeal = new_appeal()
    m = meeting(MeetingType.HEARING, appeal)
    with pytest.raises(MoveRefused, match="党群议事会"):
        appeal_route(appeal=appeal, to="coordinate", by=world.staff_a, meeting=m)


def test_an_appeal_not_on_the_agenda_is_refused(world, new_appeal, meeting):
    appeal = new_appeal()
    m = meeting(MeetingType.PARTY_MASSES)
    with pytest.raises(MoveRefused, match="议程"):
        appeal_route(appeal=appeal, to="coordinate", by=world.staff_a, meeting=m)


def test_a_closed_meeting_records_no_more_outcomes(world, new_appeal, meeting):
    appeal = new_appeal()
    m = meeting(
        MeetingType.PARTY_MASSES,
        appeal,
        minutes="议定事项",
        head_count=12,
        closed_at=timezone.now(),
    )
    with pytest.raises(MoveRefused):
        appeal_route(appeal=appeal, to="coordinate", by=world.staff_a, meeting=m)


def test_the_town_committee_reads_but_moves_nothing(world, new_appeal):
    appeal = new_appeal()
    with pytest.raises(MoveRefused):
        appeal_acknowledge(appeal=appeal, by=world.town_user)
    assert appeal.acknowledged_at is None


def test_staff_of_another_community_cannot_move_it(world, new_appeal):
    appeal = new_appeal()
    with pytest.raises(MoveRefused):
        appeal_acknowledge(appeal=appeal, by=world.staff_b)
    with pytest.raises(MoveRefused):
        appeal_decline(appeal=appeal, by=world.staff_b, reason="x")


def test_a_secretary_of_another_estate_cannot_route_it(world, new_appeal):
    appeal = new_appeal(estate=world.a_estate2, building=None)
    with pytest.raises(MoveRefused):
        appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)


def test_only_the_resident_withdraws_and_staff_cannot_pretend(world, appeal_in):
    appeal = appeal_in(Status.IN_PROGRESS)
    appeal_withdraw(appeal=appeal)
    assert (appeal.status, appeal.closure_reason) == (Status.CLOSED, "withdrawn")
    event = AppealEvent.objects.filter(appeal=appeal).latest("pk")
    assert event.by_resident and event.actor is None


def test_the_fix_is_reported_by_the_handler_or_community_staff(
    world, new_appeal, django_user_model
):
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)  # handler: the secretary
    assert appeal.handler == world.secretary_a1
    appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已修好")
    assert appeal.status == Status.RESOLVED
    # community staff report it on the handler's behalf
    other = new_appeal(title="另一件")
    appeal_route(appeal=other, to="handle", by=world.secretary_a1)
    assert other.handler == world.secretary_a1
    appeal_report_fix(appeal=other, by=world.staff_a, public_note="社区代为登记")
    assert other.status == Status.RESOLVED
    event = AppealEvent.objects.filter(appeal=other).latest("pk")
    assert (event.move, event.actor) == ("report_fix", world.staff_a)


def test_a_secretary_who_is_not_the_handler_cannot_report_the_fix(world, new_appeal, meeting):
    from branches.models import StaffRole
    from branches.tests.factories import StaffScopeFactory

    other_secretary = StaffScopeFactory(
        user__username="sec2", role=StaffRole.BRANCH_SECRETARY, estate=world.a_estate
    ).user
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    with pytest.raises(MoveRefused):
        appeal_report_fix(appeal=appeal, by=other_secretary, public_note="已修好")


def test_acknowledging_twice_is_refused(world, new_appeal):
    appeal = new_appeal()
    appeal_acknowledge(appeal=appeal, by=world.staff_a)
    with pytest.raises(MoveRefused):
        appeal_acknowledge(appeal=appeal, by=world.staff_a)


def test_declining_needs_a_reason_the_resident_reads(world, new_appeal):
    appeal = new_appeal()
    with pytest.raises(MoveRefused):
        appeal_decline(appeal=appeal, by=world.secretary_a1, reason="  ")
    appeal_decline(appeal=appeal, by=world.secretary_a1, reason="属于物业合同纠纷，请联系物业")
    assert appeal.closure_reason == "declined"


def test_acknowledging_late_starts_no_clock_again(world, new_appeal, department):
    appeal = new_appeal()
    appeal_route(appeal=appeal, to="refer", by=world.secretary_a1, department=department)
    appeal.refresh_from_db()
    handling_due = appeal.handling_due_at
    appeal_acknowledge(appeal=appeal, by=world.staff_a)
    appeal.refresh_from_db()
    assert appeal.status == Status.REFERRED and appeal.handling_due_at == handling_due
