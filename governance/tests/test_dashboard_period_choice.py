"""The dashboard's period and unit come from the query string: every kind of period, its
previous one, bad input falling back with a reason, and a unit outside the user's scope
refused like an unknown one."""

from datetime import date

import pytest
from django.test import RequestFactory

from governance.dashboard_choice import ReportPeriod, choice_for, parse_period

TODAY = date(2026, 12, 4)


def _period(**query):
    return parse_period(query, today=TODAY)


@pytest.mark.parametrize(
    "query, kind, start, end",
    [
        ({"period": "2026-02"}, "month", date(2026, 2, 1), date(2026, 2, 28)),
        ({"period": "2024-2"}, "month", date(2024, 2, 1), date(2024, 2, 29)),
        ({"period": "2026-Q3"}, "quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ({"period": "2025"}, "year", date(2025, 1, 1), date(2025, 12, 31)),
        ({"from": "2026-01-05", "to": "2026-02-10"}, "custom", date(2026, 1, 5), date(2026, 2, 10)),
        # ?period= wins over the dates
        (
            {"period": "2025", "from": "2026-01-05", "to": "2026-02-10"},
            "year",
            date(2025, 1, 1),
            date(2025, 12, 31),
        ),
        ({}, "year", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_each_kind_of_period(query, kind, start, end):
    period, problems = _period(**query)
    assert (period.kind, period.start, period.end, problems) == (kind, start, end, [])


@pytest.mark.parametrize(
    "period, previous",
    [
        (ReportPeriod.month(2026, 1), ReportPeriod.month(2025, 12)),
        (ReportPeriod.quarter(2026, 1), ReportPeriod.quarter(2025, 4)),
        (ReportPeriod.year(2026), ReportPeriod.year(2025)),
        (
            ReportPeriod("custom", date(2026, 3, 1), date(2026, 3, 10)),
            ReportPeriod("custom", date(2026, 2, 19), date(2026, 2, 28)),
        ),
    ],
)
def test_the_previous_period_is_the_same_length_just_before(period, previous):
    assert period.previous() == previous


@pytest.mark.parametrize(
    "query",
    [
        {"period": "2026-13"},
        {"period": "1999"},
        {"period": "<script>"},
        {"from": "2026-01-05"},
        {"from": "2026-02-30", "to": "2026-03-01"},
        {"from": "2026-03-01", "to": "2026-02-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
        {"from": "0001-01-01", "to": "0001-02-01"},
    ],
)
def test_bad_periods_fall_back_to_this_year_and_say_why(query):
    period, problems = _period(**query)
    assert period == ReportPeriod.year(2026)
    assert len(problems) == 1


@pytest.mark.parametrize(
    "period, following",
    [
        (ReportPeriod.month(2025, 12), ReportPeriod.month(2026, 1)),
        (ReportPeriod.quarter(2025, 4), ReportPeriod.quarter(2026, 1)),
        (ReportPeriod.year(2025), ReportPeriod.year(2026)),
        (
            ReportPeriod("custom", date(2026, 2, 19), date(2026, 2, 28)),
            ReportPeriod("custom", date(2026, 3, 1), date(2026, 3, 10)),
        ),
    ],
)
def test_the_next_period_is_the_same_length_just_after(period, following):
    assert period.next() == following
    assert following.previous() == period


def test_the_period_round_trips_through_its_parameters():
    for period in (
        ReportPeriod.month(2026, 11),
        ReportPeriod.quarter(2025, 2),
        ReportPeriod.year(2024),
        ReportPeriod("custom", date(2026, 1, 5), date(2026, 2, 10)),
    ):
        assert _period(**period.params()) == (period, [])


def _choice(user, **query):
    request = RequestFactory().get("/dashboard/", query)
    request.user = user
    return choice_for(request, today=TODAY)


def test_each_role_starts_at_its_home_unit(world):
    assert _choice(world.town_user).unit.place == world.town
    assert _choice(world.staff_a).unit.place == world.a
    assert _choice(world.secretary_a1).unit.place == world.a_estate


def test_a_unit_inside_the_scope_is_shown_with_its_path(world):
    choice = _choice(world.town_user, unit=f"estate-{world.a_estate.pk}")
    assert choice.unit.place == world.a_estate
    assert [u.place for u in choice.path] == [world.town, world.a, world.a_estate]
    assert choice.problems == []
    # community staff start their path at their community
    choice = _choice(world.staff_a, unit=f"estate-{world.a_estate2.pk}")
    assert [u.place for u in choice.path] == [world.a, world.a_estate2]


@pytest.mark.parametrize(
    "unit",
    ["estate-{b_estate}", "community-{b}", "town-{town}", "community-999999", "estate-x"],
)
def test_a_unit_outside_the_scope_is_refused_like_an_unknown_one(world, unit):
    asked = unit.format(b_estate=world.b_estate.pk, b=world.b.pk, town=world.town.pk)
    choice = _choice(world.staff_a, unit=asked)
    assert choice.unit.place == world.a
    assert len(choice.problems) == 1


def test_the_children_are_one_level_below(world):
    assert {u.place for u in _choice(world.town_user).children} == {world.a, world.b}
    assert {u.place for u in _choice(world.staff_a).children} == {world.a_estate, world.a_estate2}
    assert _choice(world.secretary_a1).children == []


def test_a_user_without_a_scope_has_no_choice(db):
    from branches.tests.factories import UserFactory

    assert _choice(UserFactory(is_staff=True)) is None
