"""Community B's staff opening A's ledger entries, commitments, consents and photos get
"not found", and every post they make changes nothing; a staff user without a scope sees
none of these pages."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.ledger import ledger_award
from branches.models import Commitment, ContributionEntry, MemberConsent
from branches.tests.factories import UserFactory

from .ledger_helpers import commitment_for, not_found, total


@pytest.fixture
def a_records(world):
    entry = ledger_award(
        member=world.a_member, source="session", key="s:1", on=timezone.localdate()
    )
    commitment = commitment_for(world, progress=100)
    return entry, commitment


def test_pages_of_another_community_are_not_found(client, world, a_records):
    entry, commitment = a_records
    client.force_login(world.staff_b)
    for url in (
        reverse("admin:branches_contributionentry_change", args=[entry.pk]),
        reverse("admin:branches_commitment_change", args=[commitment.pk]),
        reverse("admin:branches_commitment_photo", args=[commitment.pk]),
        reverse("admin:branches_member_change", args=[world.a_member.pk]),
    ):
        assert not_found(client.get(url)), url
    for url in (
        reverse("admin:branches_contributionentry_changelist"),
        reverse("admin:branches_commitment_changelist"),
        reverse("admin:branches_memberconsent_changelist"),
    ):
        text = client.get(url).content.decode()
        assert world.a_member.name not in text and commitment.text not in text, url


def test_posts_from_another_community_change_nothing(client, world, a_records):
    entry, commitment = a_records
    client.force_login(world.staff_b)
    token = str(uuid.uuid4())
    posts = [
        (
            reverse("admin:branches_contributionentry_act", args=[entry.pk, "correct"]),
            {"correct-points": "-2", "correct-reason": "x", "correct-token": token},
        ),
        (
            reverse("admin:branches_contributionentry_add"),
            {
                "member": world.a_member.pk,
                "points": "9",
                "reason": "x",
                "on": "2026-01-05",
                "token": token,
            },
        ),
        (
            reverse("admin:branches_memberconsent_record", args=[world.a_member.pk]),
            {"given": "1", "on": timezone.localdate().isoformat()},
        ),
    ]
    for name in ("progress", "change", "verify"):
        posts.append(
            (
                reverse("admin:branches_commitment_act", args=[commitment.pk, name]),
                {"progress-progress": "10", "change-text": "改", "change-due_on": "2026-12-01"},
            )
        )
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (200, 302, 404), url
    assert total(world.a_member) == 2
    assert ContributionEntry.objects.count() == 1 and not MemberConsent.objects.exists()
    commitment = Commitment.objects.get(pk=commitment.pk)
    assert (commitment.progress, commitment.verified_at) == (100, None)


def test_a_staff_user_without_a_scope_sees_none_of_them(client, world, a_records):
    client.force_login(UserFactory(username="noscope"))
    for url in (
        reverse("admin:branches_contributionentry_changelist"),
        reverse("admin:branches_commitment_changelist"),
        reverse("admin:branches_memberconsent_changelist"),
        reverse("admin:branches_contributionrule_changelist"),
    ):
        assert client.get(url).status_code == 403, url
