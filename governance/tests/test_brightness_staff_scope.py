"""The staff's comparison of branches follows each user's scope: community staff of A see
A's branches only, the town committee every branch of the town, a secretary its own; a
branch's page outside the scope is "not found"; a visitor logs in first; a staff account
without a scope gets the page saying why."""

import pytest
from django.urls import reverse

from branches.tests.factories import UserFactory
from branches.tests.ranking_helpers import award

pytestmark = pytest.mark.django_db


def branches_on_page(client, user):
    client.force_login(user)
    response = client.get(reverse("dashboard_branches") + "?year=2026")
    assert response.status_code == 200
    return [row.cells[2] for row in response.context["table"].rows]


def test_community_staff_see_their_communitys_branches_only(client, world):
    assert sorted(branches_on_page(client, world.staff_a)) == sorted(
        [world.a_estate.name, world.a_estate2.name]
    )


def test_the_town_sees_every_branch_of_the_town(client, world):
    assert sorted(branches_on_page(client, world.town_user)) == sorted(
        [world.a_estate.name, world.a_estate2.name, world.b_estate.name]
    )


def test_a_secretary_sees_its_own_branch_ranked_in_its_community(client, world, settings):
    settings.RANKING_MIN_MEMBERS = 1
    award(world.a_member, 5)
    client.force_login(world.secretary_a1)
    response = client.get(reverse("dashboard_branches") + "?year=2026")
    (row,) = response.context["table"].rows
    assert row.cells[:3] == [1, 1, world.a_estate.name]


def test_a_branch_outside_the_scope_is_not_found(client, world):
    client.force_login(world.staff_a)
    assert client.get(reverse("dashboard_branch", args=[world.b_estate.pk])).status_code == 404
    assert client.get(reverse("dashboard_branch", args=[world.a_estate.pk])).status_code == 200
    client.force_login(world.secretary_a1)
    assert client.get(reverse("dashboard_branch", args=[world.a_estate2.pk])).status_code == 404


def test_the_town_opens_any_branch_of_the_town(client, world):
    client.force_login(world.town_user)
    assert client.get(reverse("dashboard_branch", args=[world.b_estate.pk])).status_code == 200


def test_a_visitor_is_sent_to_log_in(client, world):
    for url in (
        reverse("dashboard_branches"),
        reverse("dashboard_branches_csv"),
        reverse("dashboard_branch", args=[world.a_estate.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_without_a_scope_are_told_why(client, world):
    client.force_login(UserFactory(username="noscope"))
    for url in (
        reverse("dashboard_branches"),
        reverse("dashboard_branches_csv"),
        reverse("dashboard_branch", args=[world.a_estate.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert b'id="no-scope"' in response.content


def test_the_branch_page_shows_every_member_with_points_by_source(client, world):
    award(world.a_member, 12)
    client.force_login(world.secretary_a1)
    response = client.get(reverse("dashboard_branch", args=[world.a_estate.pk]) + "?year=2026")
    table = response.context["members"]
    (row,) = [r for r in table.rows if r.cells[1] == world.a_member.name]
    by_column = dict(zip([c.key for c in table.columns], row.cells, strict=True))
    assert (by_column["points"], by_column["source_manual"], by_column["source_session"]) == (
        12,
        12,
        0,
    )
    assert world.a_member.phone not in response.content.decode()


def test_a_superuser_sees_every_branch(client, world):
    assert len(branches_on_page(client, world.superuser)) == 3
