"""Streaks: consecutive five-zero months that have ended, counted back from a month, never
past the records start; per category the same for that category alone."""

import pytest

from branches.models import Estate
from zeroindex.queries import Period, estate_board

from .conftest import local

pytestmark = pytest.mark.django_db


def status_of(estate, period):
    (row,) = estate_board(period=period, estates=Estate.objects.filter(pk=estate.pk))
    return row.status


@pytest.fixture
def estate(world, clock, records_from):
    clock(2026, 3, 15)
    records_from(world.a_estate, 2024, 1)
    return world.a_estate


def test_a_streak_runs_across_the_year_boundary(estate, incident):
    incident(estate, "pollution", local(2025, 10, 31, 23, 30))  # October: the last break

    assert status_of(estate, Period(2025, 11)).streak == 1
    assert status_of(estate, Period(2025, 12)).streak == 2
    assert status_of(estate, Period(2026, 1)).streak == 3  # Nov, Dec, Jan
    assert status_of(estate, Period(2026, 2)).streak == 4  # … and Feb
    assert status_of(estate, Period(2025, 10)).streak == 0


def test_the_running_month_is_not_counted(estate, incident):
    incident(estate, "pollution", local(2025, 10, 15, 9, 0))

    # 15 March 2026: March is still running, so the streak stops at February.
    assert status_of(estate, Period(2026, 3)).streak == 4
    assert status_of(estate, Period(2026)).streak == 4
    assert status_of(estate, Period(2025)).streak == 2  # up to December 2025


def test_a_streak_stops_at_the_records_start(estate, records_from):
    records_from(estate, 2025, 9)

    assert status_of(estate, Period(2025, 12)).streak == 4  # Sep–Dec, nothing recorded before
    assert status_of(estate, Period(2025, 9)).streak == 1
    assert status_of(estate, Period(2025, 8)).streak == 0


def test_incidents_before_the_records_start_do_not_shorten_it(estate, incident, records_from):
    records_from(estate, 2025, 9)
    incident(estate, "pollution", local(2025, 8, 20, 9, 0))

    assert status_of(estate, Period(2025, 12)).streak == 4


def test_an_incident_after_the_month_does_not_break_its_streak(estate, incident):
    incident(estate, "pollution", local(2025, 10, 15, 9, 0))
    incident(estate, "pollution", local(2026, 1, 15, 9, 0))

    assert status_of(estate, Period(2025, 12)).streak == 2
    assert status_of(estate, Period(2026, 2)).streak == 1


def test_each_category_has_its_own_streak(estate, incident):
    incident(estate, "pollution", local(2025, 10, 15, 9, 0))
    incident(estate, "petition", local(2025, 12, 15, 9, 0))

    status = status_of(estate, Period(2026, 2))
    assert status.streak == 2  # Jan, Feb: the petition in December broke the five-zero
    assert status.category_streaks["petition"] == 2
    assert status.category_streaks["pollution"] == 4  # Nov–Feb
    assert status.category_streaks["construction"] == 26  # Jan 2024 – Feb 2026


def test_pending_and_dismissed_incidents_do_not_break_a_streak(estate, incident):
    incident(estate, "pollution", local(2026, 1, 15, 9, 0), status="pending")
    incident(estate, "pollution", local(2026, 2, 15, 9, 0), status="dismissed")

    assert status_of(estate, Period(2026, 2)).streak == 26
