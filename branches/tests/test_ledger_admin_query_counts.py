"""The ledger's, the consents' and the commitments' staff pages run the same number of
queries with 3 estates as with 50 (each with a group, members, entries, consents and
commitments)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from branches.commitments import commitment_add, commitment_progress
from branches.ledger import ledger_award, ledger_correct, member_consent_set
from branches.models import Commitment, ContributionEntry, ContributionRule, Estate
from branches.services import group_set_leader

from .factories import BuildingGroupFactory, EstateFactory, MemberFactory
from .ledger_helpers import due_in_year, this_year


def fill(world, estate, group, member, n):
    today = timezone.localdate()
    entry = ledger_award(member=member, source="session", key=f"s:{n}:{member.pk}", on=today)
    ledger_correct(entry=entry, points=-1, reason="记错", key=f"c:{n}")
    ledger_award(member=member, source="manual", key=f"m:{n}", on=today, points=4, reason="义诊")
    member_consent_set(member=member, given=True)
    commitment = commitment_add(
        group=group, year=this_year(), text=f"承诺{n}", due_on=due_in_year(), members=[member]
    )
    commitment_progress(commitment=commitment, progress=100, evidence="完成")


def grow_to(world, estates):
    n = Estate.objects.count()
    while n < estates:
        estate = EstateFactory(community=world.a)
        group = BuildingGroupFactory(estate=estate)
        members = [
            MemberFactory(estate=estate, group=group, category=world.category) for _ in range(2)
        ]
        group_set_leader(group=group, member=members[0])
        for member in members:
            fill(world, estate, group, member, f"{n}-{member.pk}")
        n += 1


def pages(world):
    entry = ContributionEntry.objects.filter(member=world.a_member).first()
    commitment = Commitment.objects.filter(group=world.a_group).first()
    rule = ContributionRule.objects.get(source="session")
    return {
        "ledger": reverse("admin:branches_contributionentry_changelist"),
        "ledger by estate": reverse("admin:branches_contributionentry_changelist")
        + f"?member__estate__id__exact={world.a_estate.pk}",
        "ledger by member": reverse("admin:branches_contributionentry_changelist")
        + f"?member={world.a_member.pk}&year={this_year()}",
        "entry": reverse("admin:branches_contributionentry_change", args=[entry.pk]),
        "award": reverse("admin:branches_contributionentry_add"),
        "rules": reverse("admin:branches_contributionrule_changelist"),
        "rule": reverse("admin:branches_contributionrule_change", args=[rule.pk]),
        "consents": reverse("admin:branches_memberconsent_changelist"),
        "member": reverse("admin:branches_member_change", args=[world.a_member.pk]),
        "commitments": reverse("admin:branches_commitment_changelist"),
        "commitments due": reverse("admin:branches_commitment_changelist")
        + f"?group__estate__id__exact={world.a_estate.pk}&state=done",
        "commitment": reverse("admin:branches_commitment_change", args=[commitment.pk]),
        "commitment add": reverse("admin:branches_commitment_add"),
    }


def count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("persona", ["staff_a", "superuser"])
def test_pages_cost_the_same_with_3_and_50_estates(client, world, persona):
    for estate, group, member in (
        (world.a_estate, world.a_group, world.a_member),
        (world.a_estate2, world.a2_group, world.a2_member),
        (world.b_estate, world.b_group, world.b_member),
    ):
        fill(world, estate, group, member, f"w{member.pk}")
    client.force_login(getattr(world, persona))
    urls = pages(world)
    for url in urls.values():
        count(client, url)  # warm the per-process caches
    few = {name: count(client, url) for name, url in urls.items()}
    grow_to(world, 50)
    assert Estate.objects.count() == 50 and ContributionEntry.objects.count() > 250
    many = {name: count(client, url) for name, url in urls.items()}
    assert many == few
    assert max(few.values()) <= 30, few
