"""The places' table of /dashboard/ (communities at town level, estates at community level):
a place with fewer appeals received than DASHBOARD_MIN_CASES is shown but not ranked, with
the reason beside it; the others are ranked by the rate chosen, highest first, equal rates
sharing a rank; a place with nothing to divide for that rate is not ranked either."""

import pytest

from meetings.services import appeal_acknowledge

from .dashboard_helpers import filed, in_english, march, table_rows
from .yearend_helpers import local


@pytest.fixture
def town_page(world, category, client):
    march(world, category)  # A: 6 appeals in March 2025, 2 acknowledged in time; B: 1
    client.force_login(world.town_user)
    in_english(client)

    def get(**query):
        response = client.get("/dashboard/", {"period": "2025-03", **query})
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_below_the_minimum_a_place_is_shown_but_not_ranked(town_page, settings):
    settings.DASHBOARD_MIN_CASES = 3
    rows = {row[1]: row for row in table_rows(town_page(rank="response"), "places")}
    assert set(rows) == {"光达社区", "金星社区"}
    assert rows["光达社区"][0] == "1"
    assert rows["光达社区"][2] == "6"
    assert rows["金星社区"][0] == "—"
    assert rows["金星社区"][2] == "1"
    assert "Fewer than 3 appeals received" in rows["金星社区"][-1]


def test_the_default_minimum_is_ten(town_page):
    rows = table_rows(town_page(rank="response"), "places")
    assert [row[0] for row in rows] == ["—", "—"]  # 6 and 1 appeals: neither is ranked
    assert all("Fewer than 10 appeals received" in row[-1] for row in rows)


def test_ranked_by_the_rate_chosen_highest_first(town_page, settings, world, category):
    settings.DASHBOARD_MIN_CASES = 1
    # B's one appeal acknowledged in time: 100% against A's 33.3%
    b = filed(world, category, local(2025, 3, 20), estate=world.b_estate)
    appeal_acknowledge(appeal=b, by=world.staff_b, at=local(2025, 3, 20, 11))
    rows = table_rows(town_page(rank="response"), "places")
    assert [(row[0], row[1], row[3]) for row in rows] == [
        ("1", "金星社区", "50%"),  # 1 of its 2 acknowledged in time
        ("2", "光达社区", "33.3%"),
    ]


def test_equal_rates_share_a_rank(town_page, settings, world, category):
    settings.DASHBOARD_MIN_CASES = 1
    # B: 3 appeals, 1 acknowledged in time: 33.3%, as A's 2 of 6
    appeal_acknowledge(
        appeal=filed(world, category, local(2025, 3, 21), estate=world.b_estate),
        by=world.staff_b,
        at=local(2025, 3, 21, 11),
    )
    filed(world, category, local(2025, 3, 22), estate=world.b_estate)
    rows = table_rows(town_page(rank="response"), "places")
    assert [row[0] for row in rows] == ["1", "1"]


def test_no_denominator_for_the_rate_means_not_ranked(town_page, settings):
    settings.DASHBOARD_MIN_CASES = 1
    # B has had no return visit: no satisfaction rate to rank it by
    rows = {row[1]: row for row in table_rows(town_page(rank="satisfaction"), "places")}
    assert rows["光达社区"][0] == "1"
    assert rows["金星社区"][0] == "—"
    assert "No satisfaction rate to rank by" in rows["金星社区"][-1]


def test_each_place_links_to_its_own_figures(town_page, world):
    html = town_page()
    assert f"unit=community-{world.a.pk}" in html
    assert f"unit=community-{world.b.pk}" in html
