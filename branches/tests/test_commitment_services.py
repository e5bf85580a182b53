"""A group's commitments: progress stays within 0–100 %, only a commitment at 100 % is
verified, verifying credits each member responsible once, who may verify, and a verified
commitment is final."""

from datetime import date

import pytest
from django.utils import translation

from branches.commitments import (
    CommitmentRefused,
    commitment_add,
    commitment_change,
    commitment_progress,
    commitment_verify,
)
from branches.models import ContributionRule
from branches.tests.factories import MemberFactory

from .ledger_helpers import commitment_for, due_in_year, this_year, total


@pytest.fixture(autouse=True)
def _in_english():
    """The refusals are matched in English (the site's language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize("progress", [-1, 101, None])
def test_progress_outside_0_to_100_is_refused(world, progress):
    commitment = commitment_for(world)
    with pytest.raises(CommitmentRefused):
        commitment_progress(commitment=commitment, progress=progress, by=world.staff_a)
    commitment.refresh_from_db()
    assert commitment.progress == 0


def test_progress_keeps_its_evidence(world):
    commitment = commitment_for(world)
    commitment_progress(commitment=commitment, progress=40, evidence="已清理3栋", by=world.staff_a)
    commitment_progress(commitment=commitment, progress=60, by=world.staff_a)
    commitment.refresh_from_db()
    assert (commitment.progress, commitment.evidence) == (60, "已清理3栋")


def test_only_a_commitment_at_100_is_verified(world):
    commitment = commitment_for(world, progress=90)
    with pytest.raises(CommitmentRefused, match="100"):
        commitment_verify(commitment=commitment, by=world.secretary_a1)
    assert total(world.a_member) == 0
    commitment_progress(commitment=commitment, progress=100, by=world.staff_a)
    commitment_verify(commitment=commitment, by=world.secretary_a1)
    commitment.refresh_from_db()
    assert commitment.verified_by == world.secretary_a1 and commitment.verified_at


def test_verifying_credits_each_member_once(world):
    other = MemberFactory(estate=world.a_estate, category=world.category)
    commitment = commitment_for(world, progress=100, members=[world.a_member, other])
    points = ContributionRule.objects.get(source="commitment").points
    assert commitment_verify(commitment=commitment, by=world.staff_a) == 2
    with pytest.raises(CommitmentRefused, match="already"):
        commitment_verify(commitment=commitment, by=world.staff_a)
    assert total(world.a_member) == total(other) == points


def test_the_town_committee_and_outsiders_do_not_verify(world):
    commitment = commitment_for(world, progress=100)
    for user in (world.town_user, world.staff_b):
        with pytest.raises(CommitmentRefused):
            commitment_verify(commitment=commitment, by=user)
    commitment.refresh_from_db()
    assert commitment.verified_at is None and total(world.a_member) == 0


def test_a_verified_commitment_is_final(world):
    commitment = commitment_for(world, progress=100)
    commitment_verify(commitment=commitment, by=world.secretary_a1)
    with pytest.raises(CommitmentRefused, match="verified"):
        commitment_progress(commitment=commitment, progress=50, by=world.staff_a)
    with pytest.raises(CommitmentRefused, match="verified"):
        commitment_change(commitment=commitment, text="改", due_on=due_in_year(1), by=world.staff_a)
    commitment.refresh_from_db()
    assert commitment.progress == 100


def test_a_commitment_is_due_within_its_year_and_its_members_are_of_the_estate(world):
    with pytest.raises(CommitmentRefused, match=str(this_year())):
        commitment_add(
            group=world.a_group,
            year=this_year(),
            text="义务理发",
            due_on=date(this_year() + 1, 1, 5),
            by=world.staff_a,
        )
    with pytest.raises(CommitmentRefused, match=world.b_member.name):
        commitment_add(
            group=world.a_group,
            year=this_year(),
            text="义务理发",
            due_on=due_in_year(),
            members=[world.b_member],
            by=world.staff_a,
        )
    for year in (1, 9999):  # a mistyped year is refused with a message, not a 500
        with pytest.raises(CommitmentRefused, match=str(this_year() + 1)):
            commitment_add(
                group=world.a_group,
                year=year,
                text="义务理发",
                due_on=date(year, 1, 1),
                by=world.staff_a,
            )
    with pytest.raises(CommitmentRefused):  # another community's group
        commitment_add(
            group=world.b_group, year=this_year(), text="x", due_on=due_in_year(), by=world.staff_a
        )
