"""The hearing rule at its edges (defaults: quorum when present >= 2/3 of eligible; passed
when for > 1/2 of present), and what a vote does to the appeal."""

import pytest
from django.test import override_settings

from meetings.models import AppealEvent, HearingVote, MeetingType, Status
from meetings.services import MoveRefused, appeal_record_hearing_vote, hearing_result


@pytest.mark.parametrize(
    "eligible, present, votes_for, quorum, passed",
    [
        (30, 20, 11, True, True),  # exactly 2/3 present; 11 of 20 is more than half
        (30, 19, 19, False, False),  # one short of quorum, however they vote
        (30, 20, 10, True, False),  # exactly half is not more than half
        (3, 2, 2, True, True),
        (3, 1, 1, False, False),
        (0, 0, 0, False, False),  # nobody eligible: no quorum
        (1, 1, 1, True, True),
    ],
)
def test_rule_edges(eligible, present, votes_for, quorum, passed):
    assert hearing_result(eligible=eligible, present=present, votes_for=votes_for) == (
        quorum,
        passed,
    )


@override_settings(HEARING_QUORUM="1/2", HEARING_MAJORITY="2/3")
def test_the_rule_follows_the_settings():
    assert hearing_result(eligible=10, present=5, votes_for=4) == (True, True)
    assert hearing_result(eligible=10, present=5, votes_for=3) == (True, False)


def vote(world, appeal, m, **counts):
    return appeal_record_hearing_vote(appeal=appeal, meeting=m, by=world.staff_a, **counts)


def test_passed_vote_goes_to_work_and_shows_on_the_timeline(world, appeal_in, meeting):
    appeal = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, appeal)
    result = vote(
        world, appeal, m, eligible=30, present=24, votes_for=20, votes_against=3, abstain=1
    )
    appeal.refresh_from_db()
    assert result.passed and appeal.status == Status.IN_PROGRESS
    event = AppealEvent.objects.filter(appeal=appeal).latest("pk")
    assert event.data["for"] == 20 and event.meeting == m


def test_rejected_vote_with_quorum_declines(world, appeal_in, meeting):
    appeal = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, appeal)
    vote(world, appeal, m, eligible=30, present=24, votes_for=4, votes_against=20, abstain=0)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.closure_reason) == (Status.CLOSED, "declined")


def test_no_quorum_leaves_it_in_hearing_to_be_heard_again(world, appeal_in, meeting):
    appeal = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, appeal)
    vote(world, appeal, m, eligible=30, present=10, votes_for=10, votes_against=0, abstain=0)
    appeal.refresh_from_db()
    assert appeal.status == Status.HEARING
    assert HearingVote.objects.get(appeal=appeal).quorum is False
    second = meeting(MeetingType.HEARING, appeal)
    vote(world, appeal, second, eligible=30, present=21, votes_for=15, votes_against=6, abstain=0)
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS


@pytest.mark.parametrize(
    "counts",
    [
        {"eligible": 10, "present": 11, "votes_for": 5, "votes_against": 0, "abstain": 0},
        {"eligible": 10, "present": 8, "votes_for": 5, "votes_against": 4, "abstain": 0},
        {"eligible": 10, "present": 8, "votes_for": -1, "votes_against": 0, "abstain": 0},
    ],
)
def test_impossible_counts_are_refused(world, appeal_in, meeting, counts):
    appeal = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, appeal)
    with pytest.raises(MoveRefused):
        vote(world, appeal, m, **counts)
    assert not HearingVote.objects.exists()


def test_a_hearing_votes_once_on_an_appeal_and_another_hearing_hears_it_again(
    world, appeal_in, meeting
):
    appeal = appeal_in(Status.HEARING)
    first = meeting(MeetingType.HEARING, appeal)
    no_quorum = {"eligible": 30, "present": 10, "votes_for": 9, "votes_against": 1, "abstain": 0}
    vote(world, appeal, first, **no_quorum)
    with pytest.raises(MoveRefused) as refused:  # a second click, or a second clerk
        vote(world, appeal, first, **no_quorum)
    assert refused.value.status == 409
    assert HearingVote.objects.filter(appeal=appeal).count() == 1
    assert AppealEvent.objects.filter(appeal=appeal, kind="hearing_vote").count() == 1
    again = meeting(MeetingType.HEARING, appeal)
    vote(world, appeal, again, eligible=30, present=25, votes_for=20, votes_against=5, abstain=0)
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS


def test_the_database_keeps_one_vote_per_appeal_per_hearing(world, appeal_in, meeting):
    from django.db import IntegrityError, transaction

    appeal = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, appeal)
    counts = {"eligible": 3, "present": 1, "votes_for": 1, "votes_against": 0, "abstain": 0}
    HearingVote.objects.create(meeting=m, appeal=appeal, quorum=False, passed=False, **counts)
    with pytest.raises(IntegrityError), transaction.atomic():
        HearingVote.objects.create(meeting=m, appeal=appeal, quorum=False, passed=False, **counts)
