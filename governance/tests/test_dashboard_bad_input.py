"""Whatever the query string says, /dashboard/ and its downloads answer with a page, never an
error: a period or a place not understood falls back (this year, the user's own place) and
the page says why; an unknown ranking ranks by the satisfaction rate."""

import pytest

from .dashboard_helpers import in_english


@pytest.mark.parametrize(
    "query",
    [
        {"period": "2026-13"},
        {"period": "９９９９"},
        {"period": "x" * 5000},
        {"from": "2026-02-30", "to": "2026-03-01"},
        {"from": "2026-03-01"},
        {"unit": "estate-99999999"},
        {"unit": "community-"},
        {"unit": "town-1; DROP TABLE x"},
        {"rank": "<script>"},
        {"period": ["2025", "2026"], "unit": ["town-1", "estate-1"]},
    ],
)
def test_junk_gets_the_page_with_a_reason(client, world, query):
    client.force_login(world.town_user)
    response = in_english(client).get("/dashboard/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="figure-received"' in html
    assert "<script>" not in html.split("</head>")[1].replace("<script src=", "")


def test_an_unknown_ranking_ranks_by_satisfaction(client, world):
    client.force_login(world.town_user)
    html = in_english(client).get("/dashboard/", {"rank": "cheapest"}).content.decode()
    assert '<strong aria-current="true">satisfaction rate</strong>' in html


@pytest.mark.parametrize("path", ["/dashboard/table/months.csv", "/dashboard/report/"])
def test_a_period_not_understood_still_downloads(client, world, path):
    client.force_login(world.staff_a)
    assert client.get(path, {"period": "soon"}).status_code == 200
