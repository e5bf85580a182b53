"""The public scoreboard (/scoreboard/) and an estate's drill-down, as a resident reads them:
each estate's five marks (colour, symbol and words), the five-zero badge, the current
streak, the community's and town's roll-up, the year's picture, each building's marks;
bad input shows the current month or the site's 404, never an error; both languages."""

import pytest
from django.conf import settings
from django.test import Client

from .conftest import local
from .pages import grid_cells, marks, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world, clock, records_from, incident):
    """March 2026, so far. A's estates keep records from January 2025; B's estate has none.
    新都城 (a_estate): an accident in June 2025 and, this month, pollution with no building
    named and a public-security case in a-1栋. 新城景苑 (a_estate2): no incident at all."""
    clock(2026, 3, 15)
    records_from(world.a_estate, 2025, 1)
    records_from(world.a_estate2, 2025, 1)
    incident(world.a_estate, "accident", local(2025, 6, 5, 10, 0))
    incident(world.a_estate, "pollution", local(2026, 3, 2, 10, 0))
    incident(world.a_estate, "security", local(2026, 3, 3, 21, 0), building=world.a_building)
    incident(world.a_estate2, "petition", local(2026, 3, 4, 9, 0), status="pending")
    incident(world.a_estate2, "petition", local(2026, 3, 5, 9, 0), status="dismissed")
    return world


@pytest.fixture
def english():
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return reader


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_each_category_reads_by_colour_symbol_and_words(board, english):
    html = page(english, "/scoreboard/?period=2026-03")

    a = marks(html, f"estate-{board.a_estate.pk}")
    assert len(a) == 5
    assert (a["pollution"].mark, a["pollution"].symbol, a["pollution"].count) == (
        "not_zero",
        "✗",
        1,
    )
    assert a["pollution"].spoken == "not zero, 1 incident"
    assert (a["construction"].mark, a["construction"].symbol) == ("zero", "✓")
    assert a["construction"].spoken == "zero"
    # B's estate keeps no records yet: unknown, not zero
    b = marks(html, f"estate-{board.b_estate.pk}")
    assert {(s.mark, s.symbol, s.spoken) for s in b.values()} == {("unknown", "?", "unknown")}


def test_pending_and_dismissed_incidents_leave_a_zero(board, english):
    html = page(english, "/scoreboard/?period=2026-03")

    assert marks(html, f"estate-{board.a_estate2.pk}")["petition"].mark == "zero"


def test_the_five_zero_badge_and_the_current_streak(board, english):
    html = page(english, "/scoreboard/?period=2026-03")

    clean = row(html, f"estate-{board.a_estate2.pk}")
    assert "Five zeros" in clean and "five-zero-badge" in clean
    # January 2025 to February 2026 ended five-zero; March is still running
    assert "14 months in a row" in clean
    broken = row(html, f"estate-{board.a_estate.pk}")
    assert "five-zero-badge" not in broken
    # the accident of June 2025 ended the run: July 2025 to February 2026
    assert "8 months in a row" in broken
    assert "five-zero-badge" not in row(html, f"estate-{board.b_estate.pk}")


def test_a_month_still_running_says_so(board, english):
    assert "the marks are for the days so far" in page(english, "/scoreboard/?period=2026-03")
    assert 'id="so-far"' not in page(english, "/scoreboard/?period=2026-02")


def test_the_roll_up_gives_the_share_of_known_estates_five_zero(board, english):
    html = page(english, "/scoreboard/?period=2026-03")

    community = row_text(html, f"rollup-{board.a.pk}")
    assert "1 of 2 estates with records" in community and "50%" in community
    town = row_text(html, "rollup-total")
    assert "1 of 2 estates with records" in town and "(3 estates in all)" in town
    # B's only estate is unknown: no share to give
    assert "%" not in row_text(html, f"rollup-{board.b.pk}")


def row_text(html, element_id) -> str:
    import re

    found = re.search(rf'<li [^>]*id="{element_id}">(.*?)</li>', html, re.S)
    assert found, element_id
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_the_year_picture_colours_each_month(board, english):
    html = page(english, "/scoreboard/?period=2026")

    assert grid_cells(html, board.a_estate2.pk) == ["zero", "zero", "zero so-far"] + ["future"] * 9
    assert grid_cells(html, board.a_estate.pk)[:3] == ["zero", "zero", "not_zero so-far"]
    last_year = page(english, "/scoreboard/?period=2025")
    assert grid_cells(last_year, board.a_estate.pk)[4:7] == ["zero", "not_zero", "zero"]
    assert set(grid_cells(last_year, board.b_estate.pk)) == {"unknown"}


def test_the_year_board_marks_the_whole_year(board, english):
    html = page(english, "/scoreboard/?period=2025")

    assert marks(html, f"estate-{board.a_estate.pk}")["accident"].mark == "not_zero"
    assert "five-zero-badge" in row(html, f"estate-{board.a_estate2.pk}")


def test_a_community_chosen_shows_its_estates_only(board, english):
    html = page(english, f"/scoreboard/?period=2026-03&community={board.b.pk}")

    assert f'id="estate-{board.b_estate.pk}"' in html
    assert board.a_estate.name not in html


def test_the_drill_down_shows_each_building_and_the_incidents_with_no_building(board, english):
    estate = board.a_estate
    assert f"/scoreboard/estates/{estate.pk}/?period=2026-03" in page(
        english, "/scoreboard/?period=2026-03"
    )
    html = page(english, f"/scoreboard/estates/{estate.pk}/?period=2026-03")

    building = marks(html, f"building-{board.a_building.pk}")
    assert building["security"].mark == "not_zero"
    assert building["pollution"].mark == "zero"
    unplaced = marks(html, "building-none")
    assert "No building named" in row(html, "building-none")
    assert unplaced["pollution"].mark == "not_zero" and unplaced["security"].mark == "zero"
    own = marks(html, f"estate-{estate.pk}")
    assert own["pollution"].mark == own["security"].mark == "not_zero"
    assert grid_cells(html, estate.pk)[:3] == ["zero", "zero", "not_zero so-far"]


@pytest.mark.parametrize("junk", ["abc", "2026-13", "2026-00", "1999", "2026-03-01", "", "-1"])
def test_a_bad_period_shows_the_current_month(board, english, junk):
    html = page(english, f"/scoreboard/?period={junk}&community=x&town=99999999999")

    assert '<strong id="period-name">March 2026</strong>' in html
    assert f'id="estate-{board.a_estate.pk}"' in html


def test_a_bad_or_unknown_estate_is_the_sites_not_found_page(board, client):
    for url in (
        "/scoreboard/estates/999999/",
        "/scoreboard/estates/99999999999999999999/",
        "/scoreboard/estates/abc/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "页面不存在" in response.content.decode() or "找不到" in response.content.decode()
    # a bad period on a good estate is just the current month
    assert client.get(f"/scoreboard/estates/{board.a_estate.pk}/?period=x").status_code == 200


def test_the_board_reads_in_chinese_by_default_and_in_english(board, client, english):
    chinese = page(client, "/scoreboard/?period=2026-03")
    assert 'lang="zh-Hans"' in chinese
    assert "2026年3月" in chinese and "五零" in chinese and "连续" in chinese
    english_page = page(english, "/scoreboard/?period=2026-03")
    assert 'lang="en"' in english_page and "Five Zeros scoreboard" in english_page


def test_the_home_page_links_to_the_scoreboard(world, client):
    assert 'href="/scoreboard/"' in page(client, "/")
