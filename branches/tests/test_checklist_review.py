"""The community's review: only community staff score a submitted checklist, within each
item's full score; the review is finished when every item has its score, and is final."""

import pytest
from django.core.exceptions import ValidationError

from branches.checklists import (
    ChecklistRefused,
    checklist_entry_assess,
    checklist_entry_review,
    checklist_moves_open,
    checklist_open,
    checklist_review,
    checklist_submit,
)
from branches.models import Checklist
from branches.queries import checklist_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(world):
    checklist = checklist_open(estate=world.a_estate, year=2025, by=world.secretary_a1)
    for entry in checklist.entries.select_related("item"):
        checklist_entry_assess(entry=entry, by=world.secretary_a1, self_score=entry.item.max_score)
    return checklist_submit(checklist=checklist, by=world.secretary_a1)


def _review_all(checklist, by, less=0):
    for entry in checklist.entries.select_related("item"):
        checklist_entry_review(entry=entry, by=by, review_score=entry.item.max_score - less)


@pytest.mark.parametrize("persona", ["secretary_a1", "town_user", "staff_b"])
def test_only_the_communitys_staff_review(world, submitted, persona):
    user = getattr(world, persona)
    entry = submitted.entries.first()

    with pytest.raises(ChecklistRefused):
        checklist_entry_review(entry=entry, by=user, review_score=1)
    with pytest.raises(ChecklistRefused):
        checklist_review(checklist=submitted, by=user)

    entry.refresh_from_db()
    assert entry.review_score is None
    assert not checklist_moves_open(checklist=submitted, user=user)["review"]


def test_a_review_score_above_the_full_score_is_refused(world, submitted):
    entry = submitted.entries.select_related("item").first()

    with pytest.raises(ValidationError):
        checklist_entry_review(entry=entry, by=world.staff_a, review_score=entry.item.max_score + 1)


def test_a_draft_is_not_reviewed(world):
    draft = checklist_open(estate=world.a_estate, year=2024, by=world.staff_a)

    with pytest.raises(ChecklistRefused):
        checklist_entry_review(entry=draft.entries.first(), by=world.staff_a, review_score=1)


def test_finishing_needs_every_item_scored(world, submitted):
    checklist_entry_review(entry=submitted.entries.first(), by=world.staff_a, review_score=1)

    with pytest.raises(ChecklistRefused):
        checklist_review(checklist=submitted, by=world.staff_a)


def test_a_finished_review_is_final_and_totals_add_up(world, submitted):
    _review_all(submitted, world.staff_a, less=1)

    checklist_review(checklist=submitted, by=world.staff_a)

    submitted.refresh_from_db()
    assert submitted.status == Checklist.Status.REVIEWED
    assert submitted.reviewed_by == world.staff_a and submitted.reviewed_at
    with pytest.raises(ChecklistRefused):
        checklist_entry_review(entry=submitted.entries.first(), by=world.staff_a, review_score=0)
    result = checklist_result(estate_id=world.a_estate.pk, year=2025)
    items = submitted.entries.count()
    assert result["self_total"] == result["full_score"] == 100
    assert result["review_total"] == 100 - items
    assert result["status"] == "reviewed"
