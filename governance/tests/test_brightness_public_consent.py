"""A member without a card consent, and one who withdrew it, appear nowhere on the branch's
public Three Brightness page: no card, no line in the members' ranking, no rank taken from
the others (the consenting are ranked among themselves: 1, 2, not 1, 3), no phone. A member
who consents gets a card with the name, group, category, points and commitments."""

from datetime import date

import pytest
from django.urls import reverse

from branches.ledger import member_consent_set
from branches.models import Commitment
from branches.tests.factories import MemberFactory
from branches.tests.ranking_helpers import award

pytestmark = pytest.mark.django_db
YEAR = 2026


def page(client, estate):
    response = client.get(reverse("branch_brightness", args=[estate.pk]) + f"?year={YEAR}")
    assert response.status_code == 200
    return response


@pytest.fixture
def branch(world):
    estate = world.a_estate
    shown = MemberFactory(estate=estate, group=world.a_group, name="周晓明", phone="13911112222")
    hidden = MemberFactory(estate=estate, group=world.a_group, name="吴未允", phone="13933334444")
    withdrawn = MemberFactory(estate=estate, name="郑撤回", phone="13955556666")
    award(shown, 20)
    award(hidden, 50)  # the top of the branch, but not on the page
    award(withdrawn, 30)
    member_consent_set(member=shown, given=True, on=date(2026, 3, 1))
    member_consent_set(member=withdrawn, given=True, on=date(2026, 3, 1))
    member_consent_set(member=withdrawn, given=False, on=date(2026, 4, 1))
    promise = Commitment.objects.create(
        group=world.a_group, year=YEAR, text="楼道每周清扫", due_on=date(2026, 9, 1)
    )
    promise.members.add(shown, hidden)
    return estate, shown, hidden, withdrawn


def test_only_consenting_members_are_on_the_page(client, branch):
    estate, shown, hidden, withdrawn = branch
    html = page(client, estate).content.decode()

    assert "周晓明" in html
    for absent in ("吴未允", "郑撤回", hidden.phone, withdrawn.phone, shown.phone):
        assert absent not in html


def test_the_consenting_are_ranked_among_themselves(client, branch):
    estate, shown, *_ = branch
    members = page(client, estate).context["page"].members

    assert [(m.name, m.points, m.rank) for m in members] == [("周晓明", 20, 1)]


def test_a_card_shows_group_category_points_and_commitments(client, branch, world):
    estate, shown, *_ = branch
    (card,) = page(client, estate).context["page"].cards

    assert card.member.name == "周晓明"
    assert card.member.group == world.a_group.name
    assert card.member.category == world.category.name
    assert card.member.points == 20
    assert card.commitments == ["楼道每周清扫"]


def test_withdrawing_consent_removes_the_card(client, branch):
    estate, shown, *_ = branch
    member_consent_set(member=shown, given=False, on=date(2026, 5, 1))

    response = page(client, estate)

    assert "周晓明" not in response.content.decode()
    assert response.context["page"].cards == []
    assert response.context["page"].members == []
