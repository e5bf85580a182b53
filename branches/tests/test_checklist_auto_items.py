"""The items the system checks itself (AutoCheck), against small hand-made worlds: a
missing meeting in one period, a group without a leader, a station without open
facilities, a branch without a secretary; periods in Asia/Shanghai time."""

from datetime import date

import pytest

from branches.checklists import (
    checklist_open,
    find_group_leaders,
    find_meetings_held,
    find_secretary,
    find_station_open,
)
from branches.models import AutoCheck, BuildingGroup
from branches.tests.checklist_helpers import local, meeting, only_kind, station

pytestmark = pytest.mark.django_db

END_OF_YEAR = date(2026, 1, 1)


def test_a_quarter_without_its_meeting_is_not_met_and_named(world):
    kind = only_kind("支部党员大会", level="branch", every=3)
    for month in (2, 5, 11):  # Q1, Q2, Q4: nothing in Q3
        meeting(world.a_estate, kind, local(2025, month, 10, 19))

    found = find_meetings_held(estate=world.a_estate, year=2025, today=END_OF_YEAR)

    assert found.met is False
    assert "支部党员大会 07–09" in found.note and "支部党员大会" in found.note
    assert "01–03" not in found.note
    assert "1" in found.note and "4" in found.note  # missing 1 of 4
    assert found.note.endswith("支部党员大会 07–09")


def test_every_period_held_is_met(world):
    kind = only_kind("支部党员大会", level="branch", every=3)
    for month in (1, 4, 9, 12):
        meeting(world.a_estate, kind, local(2025, month, 10, 19))

    found = find_meetings_held(estate=world.a_estate, year=2025, today=END_OF_YEAR)

    assert found.met is True


def test_a_group_kind_needs_each_group(world):
    kind = only_kind("党小组会", level="group", every=12)
    second = BuildingGroup.objects.create(estate=world.a_estate, name="二组")
    meeting(world.a_estate, kind, local(2025, 6, 1, 9), group=world.a_group)

    found = find_meetings_held(estate=world.a_estate, year=2025, today=END_OF_YEAR)

    assert found.met is False
    assert second.name in found.note and world.a_group.name not in found.note


def test_a_meeting_counts_in_its_month_in_shanghai_time(world):
    # 00:30 on 1 April in Shanghai is 16:30 on 31 March in UTC: April's meeting, not March's.
    kind = only_kind("主题党日", level="branch", every=1)
    meeting(world.a_estate, kind, local(2025, 4, 1, 0, 30))
    meeting(world.a_estate, kind, local(2025, 2, 28, 23, 30))  # 15:30 UTC: February either way

    found = find_meetings_held(estate=world.a_estate, year=2025, today=date(2025, 6, 1))

    assert found.met is False
    assert found.note.endswith("主题党日 01, 03, 05")  # not 04, nor 02


def test_a_period_not_over_yet_is_not_expected(world):
    kind = only_kind("主题党日", level="branch", every=1)
    meeting(world.a_estate, kind, local(2026, 1, 5, 9))

    found = find_meetings_held(estate=world.a_estate, year=2026, today=date(2026, 1, 20))
    assert found.met is None  # January is not over: nothing is due yet

    found = find_meetings_held(estate=world.a_estate, year=2026, today=date(2026, 2, 1))
    assert found.met is True  # January ended with its meeting


def test_periods_before_the_branch_was_founded_are_not_expected(world):
    kind = only_kind("支部党员大会", level="branch", every=3)
    world.a_estate.branch_founded = date(2025, 7, 1)
    world.a_estate.save()
    meeting(world.a_estate, kind, local(2025, 8, 1, 9))
    meeting(world.a_estate, kind, local(2025, 11, 1, 9))

    found = find_meetings_held(estate=world.a_estate, year=2025, today=END_OF_YEAR)

    assert found.met is True


def test_a_station_without_open_facilities_is_not_met(world):
    assert find_station_open(estate=world.a_estate).met is False  # no station at all
    station(world.a_estate, open_facilities=(), closed=("志愿理发室",))

    found = find_station_open(estate=world.a_estate)

    assert found.met is False


def test_a_station_with_open_facilities_is_met_and_names_the_closed(world):
    station(world.a_estate, open_facilities=("党员之家", "法律咨询室"), closed=("志愿理发室",))

    found = find_station_open(estate=world.a_estate)

    assert found.met is True
    assert "2" in found.note and "志愿理发室" in found.note


def test_a_group_without_a_leader_is_not_met(world):
    assert find_group_leaders(estate=world.a_estate).met is True  # the world's one group
    BuildingGroup.objects.create(estate=world.a_estate, name="无组长小组")

    found = find_group_leaders(estate=world.a_estate)

    assert found.met is False
    assert "无组长小组" in found.note and world.a_group.name not in found.note


def test_a_branch_needs_its_secretary(world):
    assert find_secretary(estate=world.a_estate).met is True  # secretary_a1's scope
    assert find_secretary(estate=world.a_estate2).met is False  # nobody


def test_opening_a_checklist_fills_in_the_automatic_items(world):
    BuildingGroup.objects.create(estate=world.a_estate, name="无组长小组")

    checklist = checklist_open(estate=world.a_estate, year=2025, by=world.staff_a)

    entries = {e.item.auto_check: e for e in checklist.entries.select_related("item")}
    assert entries[AutoCheck.GROUP_LEADERS].auto_met is False
    assert "无组长小组" in entries[AutoCheck.GROUP_LEADERS].auto_note
    assert entries[AutoCheck.SECRETARY].auto_met is True
    assert entries[AutoCheck.STATION_OPEN].auto_met is False
    assert entries[AutoCheck.NONE].auto_met is None  # not checked by the system
    assert entries[AutoCheck.NONE].self_score is None  # the finding never scores
