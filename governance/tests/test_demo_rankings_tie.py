"""The demo's ranking of Guangda Community's first branch shows a tie at the top, made
through the ledger (a manual award with its reason, once), and both tied members show their
cards on the branch's public page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from branches.demo import GUANGDA, seed_branches_demo
from branches.demo_rankings import TIE_REASON, seed_rankings_demo
from branches.models import ContributionEntry, Estate
from branches.rankings import member_ranking
from branches.tests.ranking_helpers import award

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch(db):
    seed_branches_demo()
    return Estate.objects.get(community__name="光达社区", name=GUANGDA[0].name)


def test_credits_of_the_other_parts_are_brought_to_a_tie(branch, client):
    members = list(branch.members.order_by("pk")[:3])
    award(members[0], 30, on=timezone.localdate())
    award(members[1], 12, on=timezone.localdate())
    award(members[2], 5, on=timezone.localdate())

    made = seed_rankings_demo()

    year = timezone.localdate().year
    top = member_ranking(year=year, estate=branch)[:3]
    assert [(m.points, m.rank) for m in top] == [(30, 1), (30, 1), (5, 3)]
    assert made["tied"]
    tie = ContributionEntry.objects.get(key=f"demo:rankings:tie:{year}")
    assert (tie.points, tie.reason, tie.member_id) == (18, TIE_REASON, members[1].pk)

    html = client.get(reverse("branch_brightness", args=[branch.pk])).content.decode()
    assert members[0].name in html and members[1].name in html


def test_an_empty_ledger_gets_a_tie_too_and_a_second_run_adds_nothing(branch):
    seed_rankings_demo()
    entries = ContributionEntry.objects.count()
    again = seed_rankings_demo()

    assert again["tied"]
    assert ContributionEntry.objects.count() == entries
    top = member_ranking(year=timezone.localdate().year, estate=branch, consenting_only=True)
    assert top[0].rank == top[1].rank == 1
