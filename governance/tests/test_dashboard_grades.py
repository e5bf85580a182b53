"""The dashboard shows the departments' grades of the latest year end up to the period's
year (drafts marked as drafts), and says so when no year end has graded them yet."""

import pytest

from .dashboard_helpers import graded, in_english, table_rows


@pytest.fixture
def page(world, client):
    graded(2023, "县住建局", "qualified", "75")
    graded(2024, "县住建局", "excellent", "95.2")
    graded(2024, "黄兴镇派出所", "unqualified", "35")
    client.force_login(world.town_user)
    in_english(client)
    return lambda **query: client.get("/dashboard/", query).content.decode()


def test_the_latest_year_end_up_to_the_periods_year(page):
    html = page(period="2025-03")
    assert "Department grades · 2024" in html
    rows = {row[0]: row for row in table_rows(html, "grades")}
    assert rows["县住建局"][1:] == ["excellent", "95.2", "draft"]
    assert rows["黄兴镇派出所"][1:3] == ["unqualified", "35"]


def test_an_earlier_period_shows_its_own_years_grades(page):
    rows = table_rows(page(period="2023"), "grades")
    assert [row[:3] for row in rows] == [["县住建局", "qualified", "75"]]


def test_before_any_year_end_the_page_says_so(page):
    html = page(period="2022")
    assert "No year end has evaluated the departments yet." in html
    assert 'id="table-grades"' not in html
