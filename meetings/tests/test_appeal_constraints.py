"""The rules of appeals, meetings, votes and return visits, refused by full_clean() and by
the database itself."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.models import Appeal, HearingVote, Meeting, ReturnVisit


def refused_by_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_an_appeals_building_is_in_its_estate(new_appeal, world):
    appeal = new_appeal()
    appeal.building = world.b_building
    with pytest.raises(ValidationError):
        appeal.full_clean()
    refused_by_database(appeal.save)


def test_a_meetings_estate_is_in_its_community(world):
    meeting = Meeting(type="forum", community=world.a, estate=world.b_estate)
    with pytest.raises(ValidationError):
        meeting.full_clean()
    refused_by_database(meeting.save)


def test_a_closed_appeal_has_a_reason_and_an_open_one_none(new_appeal):
    appeal = new_appeal()
    refused_by_database(lambda: Appeal.objects.filter(pk=appeal.pk).update(status="closed"))
    refused_by_database(lambda: Appeal.objects.filter(pk=appeal.pk).update(closure_reason="solved"))


def test_an_unknown_status_is_refused(new_appeal):
    appeal = new_appeal()
    refused_by_database(lambda: Appeal.objects.filter(pk=appeal.pk).update(status="lost"))


def test_a_meeting_closes_only_with_minutes_and_a_head_count(world):
    meeting = Meeting.objects.create(type="forum", community=world.a)
    meeting.closed_at = timezone.now()
    with pytest.raises(ValidationError):
        meeting.full_clean()
    refused_by_database(meeting.save)


def test_votes_cannot_exceed_who_was_there(new_appeal, world):
    meeting = Meeting.objects.create(type="hearing", community=world.a)
    vote = HearingVote(
        meeting=meeting,
        appeal=new_appeal(),
        eligible=10,
        present=11,
        votes_for=5,
        votes_against=0,
        abstain=0,
        quorum=True,
        passed=False,
    )
    with pytest.raises(ValidationError):
        vote.full_clean()
    refused_by_database(vote.save)


def test_a_reached_resident_gives_an_answer(new_appeal):
    visit = ReturnVisit(appeal=new_appeal(), channel="phone", reached=True)
    with pytest.raises(ValidationError):
        visit.full_clean()
    refused_by_database(visit.save)
