"""Crediting the members who handled an appeal (meetings.credits): only for a resolved or
closed (handled) appeal, members of its estate, each once whatever the number of sends,
by staff in scope who may add to the ledger; not a move (the status stays and the moves
table does not know it)."""

import pytest
from django.db.models import Sum
from django.urls import reverse

from branches.models import ContributionEntry
from branches.tests.factories import MemberFactory
from meetings.credits import appeal_credit_members
from meetings.models import Status
from meetings.moves import MOVES, MoveRefused, appeal_moves_open


def points(member):
    return ContributionEntry.objects.filter(member=member).aggregate(t=Sum("points"))["t"] or 0


def credit(client, appeal, members):
    return client.post(
        reverse("admin:meetings_appeal_credit", args=[appeal.pk]),
        {"credit-members": [m.pk for m in members]},
    )


def test_a_closed_appeals_handlers_are_credited_once(client, world, appeal_in):
    appeal = appeal_in(Status.CLOSED)
    other = MemberFactory(estate=world.a_estate, category=world.category)
    client.force_login(world.staff_a)
    page = client.get(reverse("admin:meetings_appeal_change", args=[appeal.pk])).content.decode()
    assert 'id="credit"' in page and world.a_member.name in page
    assert credit(client, appeal, [world.a_member, other]).status_code == 302
    assert credit(client, appeal, [world.a_member]).status_code == 302
    assert points(world.a_member) == points(other) == 3
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED  # not a move


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.IN_PROGRESS])
def test_an_open_appeal_is_not_credited(client, world, appeal_in, status):
    appeal = appeal_in(status)
    client.force_login(world.staff_a)
    page = client.get(reverse("admin:meetings_appeal_change", args=[appeal.pk])).content.decode()
    assert 'id="credit"' not in page
    credit(client, appeal, [world.a_member])
    assert points(world.a_member) == 0
    with pytest.raises(MoveRefused):
        appeal_credit_members(appeal=appeal, members=[world.a_member], by=world.staff_a)


def test_members_of_another_estate_are_refused(world, appeal_in):
    appeal = appeal_in(Status.RESOLVED)
    with pytest.raises(MoveRefused):
        appeal_credit_members(appeal=appeal, members=[world.a2_member], by=world.staff_a)
    assert points(world.a2_member) == 0


def test_a_choice_outside_the_form_comes_back_with_a_message(client, world, appeal_in):
    appeal = appeal_in(Status.RESOLVED)
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    response = credit(client, appeal, [world.b_member])
    assert response.status_code == 200
    assert "Choose the members who handled it" in response.content.decode()
    assert points(world.b_member) == 0


def test_outsiders_and_the_town_committee_cannot_credit(client, world, appeal_in):
    appeal = appeal_in(Status.CLOSED)
    client.force_login(world.staff_b)
    assert credit(client, appeal, [world.a_member]).status_code == 404
    client.force_login(world.town_user)
    page = client.get(reverse("admin:meetings_appeal_change", args=[appeal.pk])).content.decode()
    assert 'id="credit"' not in page
    credit(client, appeal, [world.a_member])
    assert points(world.a_member) == 0


def test_the_credit_is_not_a_move(world, appeal_in):
    appeal = appeal_in(Status.CLOSED)
    assert not any("credit" in name for name in MOVES)
    assert not any(
        "credit" in name for name in appeal_moves_open(appeal=appeal, user=world.staff_a)
    )


def test_the_appeal_page_costs_the_same_with_3_and_50_estates(client, world, appeal_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from branches.tests.factories import EstateFactory

    appeal = appeal_in(Status.CLOSED)
    appeal_credit_members(appeal=appeal, members=[world.a_member], by=world.staff_a)
    client.force_login(world.staff_a)
    url = reverse("admin:meetings_appeal_change", args=[appeal.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()
    few = count()
    for _ in range(47):
        estate = EstateFactory(community=world.a)
        MemberFactory(estate=estate, category=world.category)
    for _ in range(40):  # and a branch of 40 more members to choose from
        member = MemberFactory(estate=world.a_estate, category=world.category)
        appeal_credit_members(appeal=appeal, members=[member], by=world.staff_a)
    assert count() == few
