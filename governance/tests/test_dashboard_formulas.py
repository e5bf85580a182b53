"""Each headline figure of /dashboard/ on a small hand-made month whose numbers are worked
out in governance/tests/dashboard_helpers.march: received, the response, resolution and
satisfaction rates, return visits on time, overdue now, reopened, declined, not reached and
repeat appeals, each beside the previous month's, a rate with nothing to divide by shown
"—" (never 0%), and the satisfaction rate following DASHBOARD_BASICALLY_SATISFIED_COUNTS."""

import pytest

from .dashboard_helpers import figure, in_english, march


@pytest.fixture
def page(world, category, client):
    march(world, category)

    def get(user=world.staff_a, **query):
        client.force_login(user)
        response = in_english(client).get("/dashboard/", query)
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_the_counts_of_the_month(page):
    html = page(period="2025-03")
    assert figure(html, "received") == "6"
    assert figure(html, "reopened") == "1"
    assert figure(html, "declined") == "1"
    assert figure(html, "not_reached") == "1"
    assert figure(html, "repeat") == "1"
    # a live count, not the period's: a5 waiting to be acknowledged, a3 reopened, and
    # February's appeal never routed
    assert figure(html, "overdue") == "3"


def test_the_rates_of_the_month_with_what_they_divide(page):
    html = page(period="2025-03")
    assert figure(html, "response") == "33.3%"  # 2 of 6 acknowledged within a day
    assert figure(html, "response", "figure-detail") == "2 of 6"
    assert figure(html, "resolution") == "66.7%"  # 2 solved of 3 reached
    assert figure(html, "resolution", "figure-detail") == "2 of 3"
    assert figure(html, "satisfaction") == "66.7%"  # satisfied + basically, of 3 answers
    assert figure(html, "on_time") == "75%"  # 3 of 4 visits by their due date


def test_each_figure_stands_beside_the_previous_months(page):
    html = page(period="2025-03")
    assert figure(html, "received", "previous-value") == "1"
    assert figure(html, "response", "previous-value") == "100%"
    # February had no return visit: nothing to divide by, shown as a dash, not 0%
    assert figure(html, "resolution", "previous-value") == "—"
    assert figure(html, "satisfaction", "previous-value") == "—"


def test_a_rate_with_nothing_to_divide_by_is_a_dash(page):
    html = page(period="2025-02")
    assert figure(html, "received") == "1"
    assert figure(html, "resolution") == "—"
    assert figure(html, "satisfaction") == "—"
    assert figure(html, "on_time") == "—"
    assert "0%" not in figure(html, "resolution")


def test_basically_satisfied_counts_only_when_the_setting_says_so(page, settings):
    settings.DASHBOARD_BASICALLY_SATISFIED_COUNTS = False
    html = page(period="2025-03")
    assert figure(html, "satisfaction") == "33.3%"  # only a1's "satisfied", of 3
    assert "basically satisfied does not count" in html


def test_the_town_counts_both_communities_and_a_community_only_its_own(page, world):
    assert figure(page(world.town_user, period="2025-03"), "received") == "7"
    assert figure(page(world.staff_b, period="2025-03"), "received") == "1"


def test_each_formula_is_on_the_page_as_a_footnote(page):
    html = page(period="2025-03")
    for key in ("received", "response", "resolution", "satisfaction", "on_time", "overdue"):
        assert f'id="formula-{key}"' in html
        assert f'href="#formula-{key}"' in html
    assert "acknowledged within 1 day(s) of filing" in html
