"""Zero, not zero, five-zero and unknown for a month or a year, at the edges of the local
(Asia/Shanghai) calendar: the board reads months as the residents live them."""

from datetime import date

import pytest

from branches.models import Estate
from zeroindex.queries import CATEGORIES, Mark, Period, estate_board, year_grid

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


def test_an_incident_at_2330_on_the_last_day_belongs_to_that_month(estate, incident):
    incident(estate, "construction", local(2025, 1, 31, 23, 30))

    assert status_of(estate, Period(2025, 1)).marks["construction"] == Mark.NOT_ZERO
    assert status_of(estate, Period(2025, 2)).marks["construction"] == Mark.ZERO


def test_an_incident_at_0010_on_the_first_belongs_to_the_next_month(estate, incident):
    # 00:10 in Shanghai is 16:10 UTC the day before: read in UTC it would fall in February.
    incident(estate, "construction", local(2025, 3, 1, 0, 10))

    assert status_of(estate, Period(2025, 2)).marks["construction"] == Mark.ZERO
    assert status_of(estate, Period(2025, 3)).marks["construction"] == Mark.NOT_ZERO


def test_new_years_eve_at_2330_is_the_old_year_and_0010_on_new_years_day_the_new(estate, incident):
    incident(estate, "pollution", local(2024, 12, 31, 23, 30))
    incident(estate, "accident", local(2026, 1, 1, 0, 10))

    y2024, y2025, y2026 = (status_of(estate, Period(y)) for y in (2024, 2025, 2026))
    assert y2024.marks["pollution"] == Mark.NOT_ZERO
    assert y2025.marks["pollution"] == Mark.ZERO and y2025.marks["accident"] == Mark.ZERO
    assert y2025.five_zero == Mark.ZERO
    assert y2026.marks["accident"] == Mark.NOT_ZERO


def test_a_verified_incident_breaks_its_own_category_only(estate, incident):
    incident(estate, "security", local(2025, 6, 10, 9, 0))

    status = status_of(estate, Period(2025, 6))
    assert status.marks == {c: Mark.NOT_ZERO if c == "security" else Mark.ZERO for c in CATEGORIES}
    assert status.counts["security"] == 1 and status.total == 1
    assert status.five_zero == Mark.NOT_ZERO


@pytest.mark.parametrize("pending_or_dismissed", ["pending", "dismissed"])
def test_pending_and_dismissed_incidents_do_not_count(estate, incident, pending_or_dismissed):
    incident(estate, "petition", local(2025, 6, 10, 9, 0), status=pending_or_dismissed)

    status = status_of(estate, Period(2025, 6))
    assert status.marks["petition"] == Mark.ZERO
    assert status.total == 0
    assert status.five_zero == Mark.ZERO


def test_five_zero_only_when_all_five_are_zero(estate, incident):
    incident(estate, "construction", local(2025, 7, 1, 9, 0))

    assert status_of(estate, Period(2025, 7)).five_zero == Mark.NOT_ZERO
    assert status_of(estate, Period(2025, 8)).five_zero == Mark.ZERO


def test_a_month_before_the_records_start_is_unknown_even_with_an_incident(
    estate, incident, records_from
):
    records_from(estate, 2025, 5)
    incident(estate, "construction", local(2025, 4, 20, 9, 0))

    april = status_of(estate, Period(2025, 4))
    assert set(april.marks.values()) == {Mark.UNKNOWN}
    assert april.five_zero == Mark.UNKNOWN
    assert april.total == 0  # only the known months count
    assert status_of(estate, Period(2025, 5)).five_zero == Mark.ZERO


def test_a_year_partly_before_the_records_start_is_not_zero_where_known_else_unknown(
    estate, incident, records_from
):
    records_from(estate, 2025, 5)
    incident(estate, "construction", local(2025, 4, 20, 9, 0))  # unknown month: ignored
    incident(estate, "pollution", local(2025, 9, 20, 9, 0))

    year = status_of(estate, Period(2025))
    assert year.marks["pollution"] == Mark.NOT_ZERO
    assert year.marks["construction"] == Mark.UNKNOWN
    assert year.five_zero == Mark.NOT_ZERO
    assert status_of(estate, Period(2026)).five_zero == Mark.ZERO  # fully known, so far


def test_an_estate_without_a_records_start_is_unknown(world, clock, incident):
    clock(2026, 3, 15)
    incident(world.b_estate, "construction", local(2025, 4, 20, 9, 0))

    for period in (Period(2025, 4), Period(2025, 5), Period(2025)):
        status = status_of(world.b_estate, period)
        assert status.five_zero == Mark.UNKNOWN
        assert set(status.marks.values()) == {Mark.UNKNOWN}
        assert status.streak == 0


def test_the_current_month_is_so_far(estate):
    assert status_of(estate, Period(2026, 3)).so_far is True
    assert status_of(estate, Period(2026, 3)).five_zero == Mark.ZERO
    assert status_of(estate, Period(2026)).so_far is True
    assert status_of(estate, Period(2026, 2)).so_far is False
    assert status_of(estate, Period(2025)).so_far is False


def test_a_future_month_is_unknown_on_the_board_and_future_in_the_picture(estate):
    assert status_of(estate, Period(2026, 4)).five_zero == Mark.UNKNOWN

    (row,) = year_grid(year=2026, estates=Estate.objects.filter(pk=estate.pk))
    marks = [cell.mark for cell in row.cells]
    assert marks == [Mark.ZERO] * 3 + [Mark.FUTURE] * 9
    assert [cell.so_far for cell in row.cells][:4] == [False, False, True, False]
    assert row.five_zero_months == 2  # March is zero so far, not yet a five-zero month


def test_the_picture_marks_each_month(estate, incident, records_from):
    records_from(estate, 2025, 3)
    incident(estate, "construction", local(2025, 2, 10, 9, 0))  # before the records: unknown
    incident(estate, "construction", local(2025, 5, 31, 23, 30))
    incident(estate, "petition", local(2025, 6, 1, 0, 10))
    incident(estate, "petition", local(2025, 6, 2, 10, 0))

    (row,) = year_grid(year=2025, estates=Estate.objects.filter(pk=estate.pk))
    marks = {cell.month: (cell.mark, cell.incidents) for cell in row.cells}
    assert marks[date(2025, 2, 1)] == (Mark.UNKNOWN, 0)
    assert marks[date(2025, 3, 1)] == (Mark.ZERO, 0)
    assert marks[date(2025, 5, 1)] == (Mark.NOT_ZERO, 1)
    assert marks[date(2025, 6, 1)] == (Mark.NOT_ZERO, 2)
    assert marks[date(2025, 7, 1)] == (Mark.ZERO, 0)
    assert row.five_zero_months == 8  # March, April, July–December
