"""DESIGN.md's table of moves, whole: every move from every status is allowed exactly where
the table allows it, lands in the status it names, and writes its event; every other move is
refused with a message and changes nothing."""

import pytest
from django.test import override_settings

from meetings.models import AppealEvent, ClosureReason, MeetingType, Status
from meetings.services import (
    MOVES,
    MoveRefused,
    appeal_acknowledge,
    appeal_close_duplicate,
    appeal_coordination_outcome,
    appeal_decline,
    appeal_department_accept,
    appeal_department_send_back,
    appeal_record_hearing_vote,
    appeal_record_return_visit,
    appeal_refer,
    appeal_report_fix,
    appeal_route,
    appeal_withdraw,
)

# move → (status it lands in, closure reason)
EXPECTED = {
    "acknowledge": (None, ""),
    "route_handle": (Status.IN_PROGRESS, ""),
    "route_coordinate": (Status.COORDINATING, ""),
    "route_major": (Status.HEARING, ""),
    "route_refer": (Status.REFERRED, ""),
    "decline": (Status.CLOSED, ClosureReason.DECLINED),
    "close_duplicate": (Status.CLOSED, ClosureReason.DUPLICATE),
    "withdraw": (Status.CLOSED, ClosureReason.WITHDRAWN),
    "coordination_agreed": (Status.IN_PROGRESS, ""),
    "coordination_major": (Status.HEARING, ""),
    "coordination_refer": (Status.REFERRED, ""),
    "hearing_passed": (Status.IN_PROGRESS, ""),
    "hearing_rejected": (Status.CLOSED, ClosureReason.DECLINED),
    "department_accept": (Status.IN_PROGRESS, ""),
    "department_send_back": (Status.REOPENED, ""),
    "refer": (Status.REFERRED, ""),
    "report_fix": (Status.RESOLVED, ""),
    "visit_solved": (Status.CLOSED, ClosureReason.SOLVED),
    "visit_not_solved": (Status.REOPENED, ""),
    "unreachable": (Status.CLOSED, ClosureReason.UNREACHABLE),
}

ALLOWED_FROM = {
    "acknowledge": set(Status.values) - {Status.CLOSED},
    "route_handle": {Status.RECEIVED, Status.REOPENED},
    "route_coordinate": {Status.RECEIVED, Status.REOPENED},
    "route_major": {Status.RECEIVED, Status.REOPENED},
    "route_refer": {Status.RECEIVED, Status.REOPENED},
    "decline": {Status.RECEIVED, Status.REOPENED, Status.COORDINATING},
    "close_duplicate": set(Status.values) - {Status.CLOSED},
    "withdraw": set(Status.values) - {Status.CLOSED},
    "coordination_agreed": {Status.COORDINATING},
    "coordination_major": {Status.COORDINATING},
    "coordination_refer": {Status.COORDINATING},
    "hearing_passed": {Status.HEARING},
    "hearing_rejected": {Status.HEARING},
    "department_accept": {Status.REFERRED},
    "department_send_back": {Status.REFERRED},
    "refer": {Status.IN_PROGRESS},
    "report_fix": {Status.IN_PROGRESS},
    "visit_solved": {Status.RESOLVED},
    "visit_not_solved": {Status.RESOLVED},
    "unreachable": {Status.RESOLVED},
}


def test_the_table_in_code_is_designs_table():
    assert set(MOVES) == set(EXPECTED)
    for name, move in MOVES.items():
        assert set(move.sources) == ALLOWED_FROM[name], name
        assert (move.target, move.closure) == EXPECTED[name], name


def perform(name, appeal, *, world, meeting, department, original):
    """Make the move `name` the way its user would: at the right meeting, as the right person."""
    staff = world.staff_a

    def at(type_):
        return meeting(type_, appeal)

    if name == "acknowledge":
        return appeal_acknowledge(appeal=appeal, by=staff, public_note="已收到")
    if name.startswith("route_"):
        to = name.removeprefix("route_")
        return appeal_route(
            appeal=appeal,
            to=to,
            by=staff,
            meeting=at(MeetingType.PARTY_MASSES),
            department=department,
        )
    if name == "decline":
        type_ = (
            MeetingType.COORDINATION
            if appeal.status == Status.COORDINATING
            else MeetingType.PARTY_MASSES
        )
        return appeal_decline(appeal=appeal, by=staff, reason="不属于社区职责", meeting=at(type_))
    if name == "close_duplicate":
        return appeal_close_duplicate(appeal=appeal, original=original, by=staff)
    if name == "withdraw":
        return appeal_withdraw(appeal=appeal)
    if name.startswith("coordination_"):
        return appeal_coordination_outcome(
            appeal=appeal,
            meeting=at(MeetingType.COORDINATION),
            outcome=name.removeprefix("coordination_"),
            by=staff,
            department=department,
        )
    if name.startswith("hearing_"):
        passed = name == "hearing_passed"
        return appeal_record_hearing_vote(
            appeal=appeal,
            meeting=at(MeetingType.HEARING),
            by=staff,
            eligible=30,
            present=25,
            votes_for=20 if passed else 5,
            votes_against=5 if passed else 20,
            abstain=0,
        )
    if name == "department_accept":
        return appeal_department_accept(appeal=appeal, by=staff)
    if name == "department_send_back":
        return appeal_department_send_back(appeal=appeal, by=staff, reason="不属于本部门职责")
    if name == "refer":
        return appeal_refer(appeal=appeal, by=staff, department=department)
    if name == "report_fix":
        return appeal_report_fix(appeal=appeal, by=staff, public_note="已更换灯泡")
    if name.startswith("visit_"):
        return appeal_record_return_visit(
            appeal=appeal,
            by=staff,
            channel="phone",
            reached=True,
            solved=name == "visit_solved",
            satisfaction="satisfied",
        )
    if name == "unreachable":
        with override_settings(APPEAL_UNREACHABLE_ATTEMPTS=1):
            return appeal_record_return_visit(
                appeal=appeal, by=staff, channel="phone", reached=False
            )
    raise AssertionError(name)


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_move_from_every_status(
    world, appeal_in, meeting, department, new_appeal, status, name
):
    original = new_appeal(title="更早的同一问题")
    appeal = appeal_in(status)  # never acknowledged yet: acknowledging is open while open
    events_before = AppealEvent.objects.filter(appeal=appeal).count()
    kwargs = {"world": world, "meeting": meeting, "department": department, "original": original}
    if status in ALLOWED_FROM[name]:
        perform(name, appeal, **kwargs)
        appeal.refresh_from_db()
        target, closure = EXPECTED[name]
        assert appeal.status == (target or status)
        assert appeal.closure_reason == closure
        event = AppealEvent.objects.filter(appeal=appeal).latest("pk")
        assert AppealEvent.objects.filter(appeal=appeal).count() == events_before + 1
        assert (event.from_status, event.to_status) == (status, target or status)
        assert event.move == name
    else:
        with pytest.raises(MoveRefused) as refused:
            perform(name, appeal, **kwargs)
        assert refused.value.message
        appeal.refresh_from_db()
        assert appeal.status == status
        assert AppealEvent.objects.filter(appeal=appeal).count() == events_before
