"""The branch's self-assessment: scores bounded by the item's full score, every item scored
before submitting, and read-only for the branch once submitted."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from branches.checklists import (
    ChecklistRefused,
    checklist_entry_assess,
    checklist_moves_open,
    checklist_open,
    checklist_submit,
)
from branches.models import Checklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def checklist(world):
    return checklist_open(estate=world.a_estate, year=2025, by=world.secretary_a1)


def _score_all(checklist, by, score=None):
    for entry in checklist.entries.select_related("item"):
        checklist_entry_assess(
            entry=entry,
            by=by,
            self_score=entry.item.max_score if score is None else score,
            evidence="会议记录",
        )


def test_a_score_above_the_items_full_score_is_refused(world, checklist):
    entry = checklist.entries.select_related("item").first()

    with pytest.raises(ValidationError) as refused:
        checklist_entry_assess(
            entry=entry, by=world.secretary_a1, self_score=entry.item.max_score + 1
        )

    assert str(entry.item.max_score) in str(refused.value)
    entry.refresh_from_db()
    assert entry.self_score is None


def test_the_full_score_and_evidence_are_kept(world, checklist):
    entry = checklist.entries.select_related("item").first()

    checklist_entry_assess(
        entry=entry, by=world.secretary_a1, self_score=entry.item.max_score, evidence=" 台账齐全 "
    )

    entry.refresh_from_db()
    assert (entry.self_score, entry.evidence) == (entry.item.max_score, "台账齐全")


def test_an_evidence_file_of_another_kind_is_refused(world, checklist):
    entry = checklist.entries.first()
    page = SimpleUploadedFile("evil.html", b"<script>alert(1)</script>", "text/html")

    with pytest.raises(ValidationError):
        checklist_entry_assess(entry=entry, by=world.secretary_a1, self_score=1, evidence_file=page)


def test_submitting_needs_every_item_scored(world, checklist):
    first = checklist.entries.first()
    checklist_entry_assess(entry=first, by=world.secretary_a1, self_score=1)

    with pytest.raises(ChecklistRefused) as refused:
        checklist_submit(checklist=checklist, by=world.secretary_a1)

    assert str(checklist.entries.count() - 1) in refused.value.message
    checklist.refresh_from_db()
    assert checklist.status == Checklist.Status.DRAFT


def test_after_submitting_the_branch_cannot_change_a_score(world, checklist):
    _score_all(checklist, world.secretary_a1, score=5)
    checklist_submit(checklist=checklist, by=world.secretary_a1)
    entry = checklist.entries.first()

    with pytest.raises(ChecklistRefused):
        checklist_entry_assess(entry=entry, by=world.secretary_a1, self_score=0)

    entry.refresh_from_db()
    assert entry.self_score == 5
    checklist.refresh_from_db()
    assert checklist.status == Checklist.Status.SUBMITTED and checklist.submitted_at
    moves = checklist_moves_open(checklist=checklist, user=world.secretary_a1)
    assert not moves["assess"] and not moves["submit"] and not moves["refresh"]


def test_community_staff_may_submit_for_the_branch(world, checklist):
    _score_all(checklist, world.staff_a)

    checklist_submit(checklist=checklist, by=world.staff_a)

    checklist.refresh_from_db()
    assert checklist.status == Checklist.Status.SUBMITTED


def test_the_town_committee_only_reads(world, checklist):
    entry = checklist.entries.first()

    with pytest.raises(ChecklistRefused):
        checklist_entry_assess(entry=entry, by=world.town_user, self_score=1)
    assert not any(checklist_moves_open(checklist=checklist, user=world.town_user).values())


def test_a_branch_has_one_checklist_a_year(world, checklist):
    with pytest.raises(ChecklistRefused):
        checklist_open(estate=world.a_estate, year=2025, by=world.staff_a)


def test_a_checklist_gets_the_items_in_use_only(world):
    from branches.models import StandardItem

    retired = StandardItem.objects.order_by("pk").first()
    retired.active = False
    retired.save()

    checklist = checklist_open(estate=world.a_estate, year=2024, by=world.staff_a)

    items = set(checklist.entries.values_list("item", flat=True))
    assert retired.pk not in items
    assert items == set(StandardItem.objects.filter(active=True).values_list("pk", flat=True))


def test_another_communitys_branch_cannot_be_opened(world):
    with pytest.raises(ChecklistRefused):
        checklist_open(estate=world.b_estate, year=2025, by=world.staff_a)
    assert not Checklist.objects.exists()
