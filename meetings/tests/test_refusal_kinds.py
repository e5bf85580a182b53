"""A refusal says what kind of no it is, so an API can answer with the right status and a
JSON error: not allowed (403), not found or out of scope (404), not now (409), bad input
(422)."""

import pytest

from meetings.models import MeetingType, Status
from meetings.moves import Refusal
from meetings.services import (
    MoveRefused,
    appeal_acknowledge,
    appeal_decline,
    appeal_record_hearing_vote,
    appeal_route,
    appeal_submit,
)


def refusal(call):
    with pytest.raises(MoveRefused) as refused:
        call()
    return refused.value


def test_not_allowed_is_403(world, new_appeal):
    appeal = new_appeal()
    refused = refusal(lambda: appeal_acknowledge(appeal=appeal, by=world.town_user))
    assert (refused.kind, refused.status) == (Refusal.NOT_ALLOWED, 403)
    refused = refusal(lambda: appeal_route(appeal=appeal, to="handle", by=world.staff_a))
    assert refused.kind == Refusal.NOT_ALLOWED and refused.needs_meeting


def test_out_of_scope_is_404(world, new_appeal, category):
    appeal = new_appeal()
    assert refusal(lambda: appeal_acknowledge(appeal=appeal, by=world.staff_b)).status == 404
    enter = lambda: appeal_submit(  # noqa: E731
        estate=world.b_estate, category=category, title="t", description="d", by=world.staff_a
    )
    assert refusal(enter).status == 404


def test_not_now_is_409(world, new_appeal, appeal_in):
    appeal = new_appeal()
    appeal_acknowledge(appeal=appeal, by=world.staff_a)
    assert refusal(lambda: appeal_acknowledge(appeal=appeal, by=world.staff_a)).status == 409
    closed = appeal_in(Status.CLOSED)
    refused = refusal(lambda: appeal_decline(appeal=closed, by=world.secretary_a1, reason="r"))
    assert refused.status == 409


def test_bad_input_is_422(world, new_appeal, appeal_in, meeting):
    appeal = new_appeal()
    refused = refusal(lambda: appeal_decline(appeal=appeal, by=world.secretary_a1, reason=" "))
    assert refused.status == 422
    hearing = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, hearing)
    vote = lambda: appeal_record_hearing_vote(  # noqa: E731
        appeal=hearing,
        meeting=m,
        by=world.staff_a,
        eligible=10,
        present=12,
        votes_for=1,
        votes_against=0,
        abstain=0,
    )
    assert refusal(vote).status == 422
    wrong_meeting = meeting(MeetingType.HEARING, appeal)
    route = lambda: appeal_route(  # noqa: E731
        appeal=appeal, to="handle", by=world.staff_a, meeting=wrong_meeting
    )
    assert refusal(route).status == 422


def test_as_json_for_an_api(world, new_appeal):
    appeal = new_appeal()
    refused = refusal(lambda: appeal_acknowledge(appeal=appeal, by=world.staff_b))
    assert refused.as_json() == {"error": "not_found", "message": refused.message}
