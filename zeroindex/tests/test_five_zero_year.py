"""The year-end title: the estates and buildings five-zero for a whole year that has ended
and that their records cover, and `manage.py five_zero_year` that prints them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from branches.models import Estate
from branches.tests.factories import BuildingFactory
from zeroindex.queries import five_zero_year

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2025(world, clock, records_from, incident):
    """Records from 2024 for community A's estates, from mid-2025 for B's; in 2025 a_estate
    has an incident in a_building, a_estate2 one that names no building."""
    clock(2026, 1, 5)
    records_from(world.a_estate, 2024, 1)
    records_from(world.a_estate2, 2025, 1)
    records_from(world.b_estate, 2025, 6)
    world.a_building2 = BuildingFactory(estate=world.a_estate, name="2栋")
    incident(world.a_estate, "pollution", local(2025, 12, 31, 23, 30), building=world.a_building)
    incident(world.a_estate2, "petition", local(2025, 3, 3, 9, 0))
    incident(world.a_estate2, "petition", local(2024, 12, 31, 23, 30))  # the year before
    incident(world.a_estate, "security", local(2026, 1, 1, 0, 10), building=world.a_building2)
    return world


def run(*args, language="en"):
    out = StringIO()
    with translation.override(language):
        call_command("five_zero_year", *args, stdout=out)
    return out.getvalue()


def test_titles_go_to_estates_and_buildings_with_no_incident_in_the_whole_year(year_2025):
    w = year_2025
    titles = five_zero_year(year=2025)

    assert titles.ended
    assert titles.estates == []  # a_estate: pollution in a-1栋; a_estate2: a petition
    # a building is five-zero even when its estate had an incident elsewhere
    assert titles.buildings == [w.a2_building, w.a_building2]  # by estate, then name
    assert titles.not_known == [w.b_estate]  # records from June 2025: no title, nor its building


def test_an_estate_with_a_clean_year_gets_the_title(year_2025, incident):
    w = year_2025
    titles = five_zero_year(year=2024, estates=Estate.objects.filter(community=w.a))
    # 2024: a_estate2's records start in 2025, so only a_estate is known; its year was clean
    assert titles.estates == [w.a_estate]
    assert titles.buildings == [w.a_building2, w.a_building]  # 2栋 before a-1栋
    assert titles.not_known == [w.a_estate2]


def test_a_year_not_ended_gives_no_titles(year_2025):
    titles = five_zero_year(year=2026)

    assert not titles.ended
    assert titles.estates == [] and titles.buildings == []


def test_the_command_prints_the_titles_with_the_community(year_2025):
    out = run("--year", "2025")

    assert "Five-zero for the whole of 2025" in out
    assert "2 buildings:" in out
    assert "光达社区 · 新都城 2栋" in out
    assert "光达社区 · 新城景苑 a2-1栋" in out
    assert "新都城 a-1栋" not in out
    assert "1 estate gets no title because its records do not cover the whole year" in out
    assert "金星社区 · 金星花园" in out


def test_the_command_prints_in_the_active_language(year_2025):
    out = run("--year", "2025", language="zh-hans")

    assert "Five-zero" not in out
    assert "2025" in out and "光达社区 · 新都城 2栋" in out


def test_the_command_says_so_when_nothing_is_five_zero(year_2025, incident):
    incident(
        year_2025.a_estate, "pollution", local(2025, 5, 1, 9, 0), building=year_2025.a_building2
    )
    incident(
        year_2025.a_estate2, "pollution", local(2025, 5, 1, 9, 0), building=year_2025.a2_building
    )

    assert "No estate or building was five-zero for the whole of 2025." in run("--year", "2025")


def test_the_command_says_why_a_running_year_has_no_titles(year_2025):
    out = run("--year", "2026")

    assert "2026 has not ended yet" in out
    assert "光达社区" not in out


def test_without_a_year_the_command_takes_the_year_just_ended(year_2025):
    assert "Five-zero for the whole of 2025" in run()


@pytest.mark.parametrize("bad", ["twenty", "25", "1999", "2101", "2025-01", ""])
def test_a_bad_year_is_a_clear_command_error(db, bad):
    with pytest.raises(CommandError, match="four digits"):
        run("--year", bad)
