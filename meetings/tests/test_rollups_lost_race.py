"""A move that loses its race (its conditional UPDATE finds the appeal moved meanwhile), or
whose transaction fails after the roll-ups were added to, leaves the roll-ups as they were."""

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import moves
from meetings.models import Appeal, MeetingType, Status
from meetings.rollups import rollups_verify
from meetings.services import (
    MoveRefused,
    Refusal,
    appeal_decline,
    appeal_record_hearing_vote,
    appeal_route,
)
from meetings.tests.test_rollups_after_moves import seen


def test_the_clerk_who_loses_the_race_adds_nothing(world, appeal_in, meeting):
    appeal = appeal_in(Status.RECEIVED)
    stale = Appeal.objects.get(pk=appeal.pk)  # a second clerk's page, opened at the same time
    pm = meeting(MeetingType.PARTY_MASSES, appeal)
    appeal_route(appeal=appeal, to="handle", by=world.staff_a, meeting=pm)
    before = seen()
    with pytest.raises(MoveRefused) as refused:
        appeal_decline(appeal=stale, by=world.staff_a, reason="不属于社区职责", meeting=pm)
    assert refused.value.kind == Refusal.CONFLICT
    assert seen() == before
    assert rollups_verify() == []


def test_a_vote_recorded_twice_takes_back_its_roll_up(world, appeal_in, meeting):
    # Without quorum the vote adds to the funnel before the vote row is written; the second
    # clerk's duplicate vote fails on the unique vote row and must take its count back.
    appeal = appeal_in(Status.HEARING)
    hearing = meeting(MeetingType.HEARING, appeal)
    vote = {"eligible": 30, "present": 5, "votes_for": 5, "votes_against": 0, "abstain": 0}
    appeal_record_hearing_vote(appeal=appeal, meeting=hearing, by=world.staff_a, **vote)
    before = seen()
    real = moves.facts

    def page_before_the_vote(*args, **kwargs):  # the second clerk's check predates the vote
        return replace(real(*args, **kwargs), voted_here=False)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(moves, "facts", page_before_the_vote)
        with CaptureQueriesContext(connection) as queries, pytest.raises(MoveRefused) as refused:
            appeal_record_hearing_vote(appeal=appeal, meeting=hearing, by=world.staff_a, **vote)
    assert refused.value.kind == Refusal.CONFLICT
    assert any("INSERT INTO" in q["sql"] and "meetings_statusday" in q["sql"] for q in queries)
    assert seen() == before
    assert rollups_verify() == []
