"""Overdue organisational life: a kind expected every N months is missed when its last
completed calendar period (Asia/Shanghai) passed without a meeting; month and quarter edges
in Shanghai time, a branch founded mid-period, groups, scope; three queries at any size."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import Estate, OrgMeetingKind
from branches.orglife import last_completed_period, org_meeting_record
from branches.queries import org_life_overdue
from branches.services import group_set_buildings
from branches.tests.factories import BuildingFactory, BuildingGroupFactory, EstateFactory
from branches.tests.orglife_seeded import seeded_lists  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def at(*args, tz=SHANGHAI):
    return datetime(*args, tzinfo=tz)


@pytest.fixture
def only(db):
    """Keep one kind with an expectation (the others expect nothing), as the test says."""

    def keep(name, every_months=None):
        OrgMeetingKind.objects.exclude(name=name).update(every_months=None)
        kind = OrgMeetingKind.objects.get(name=name)
        if every_months:
            kind.every_months = every_months
            kind.save()
        return kind

    return keep


def missed(now, user=None, **kw):
    return {(o.estate, o.group, o.kind.name) for o in org_life_overdue(user=user, now=now, **kw)}


def meet(estate, kind, held_at, group=None):
    return org_meeting_record(estate=estate, group=group, kind=kind, held_at=held_at, topic="例会")


def test_periods_are_calendar_periods_in_shanghai():
    # 2026-03-31 16:30 UTC is already 1 April in Shanghai: March has ended
    assert last_completed_period(1, at(2026, 3, 31, 16, 30, tz=UTC)) == (
        at(2026, 3, 1),
        at(2026, 4, 1),
    )
    assert last_completed_period(1, at(2026, 3, 31, 15, 30, tz=UTC))[0] == at(2026, 2, 1)
    assert last_completed_period(3, at(2026, 6, 30, 23, 59)) == (at(2026, 1, 1), at(2026, 4, 1))
    assert last_completed_period(12, at(2026, 1, 1, 0, 1)) == (at(2025, 1, 1), at(2026, 1, 1))


def test_a_meeting_at_2330_on_31_march_counts_for_march(world, only):
    kind = only("支部委员会会议")  # monthly, each branch
    # 15:30 UTC = 23:30 in Shanghai, still March
    meet(world.a_estate, kind, at(2026, 3, 31, 15, 30, tz=UTC))
    just_after_midnight = at(2026, 4, 1, 0, 5)
    assert (world.a_estate.name, "", kind.name) not in missed(just_after_midnight)
    # the branch that held none in March is overdue from the first minute of April
    assert (world.a_estate2.name, "", kind.name) in missed(just_after_midnight)
    # a minute before midnight, March has not ended: February is the one checked
    meet(world.a_estate2, kind, at(2026, 2, 3, 19))
    assert (world.a_estate2.name, "", kind.name) not in missed(at(2026, 3, 31, 23, 59))


def test_a_meeting_at_0030_on_1_april_shanghai_is_aprils(world, only):
    kind = only("支部委员会会议")
    meet(world.a_estate, kind, at(2026, 3, 31, 16, 30, tz=UTC))  # 00:30 on 1 April in Shanghai
    assert (world.a_estate.name, "", kind.name) in missed(at(2026, 4, 1, 9))  # March missed
    assert (world.a_estate.name, "", kind.name) not in missed(at(2026, 5, 1, 9))


def test_quarterly_kinds_are_checked_by_quarter(world, only):
    kind = only("支部党员大会")  # quarterly
    meet(world.a_estate, kind, at(2026, 1, 15, 19))  # Q1
    assert (world.a_estate.name, "", kind.name) not in missed(at(2026, 6, 30, 23, 59))
    assert (world.a_estate.name, "", kind.name) in missed(at(2026, 7, 1, 0, 0))  # Q2 missed
    meet(world.a_estate, kind, at(2026, 6, 30, 23, 0))
    assert (world.a_estate.name, "", kind.name) not in missed(at(2026, 7, 1, 0, 0))


def test_a_branch_founded_mid_period_is_not_overdue_for_it(world, only):
    kind = only("支部委员会会议")
    Estate.objects.filter(pk=world.a_estate.pk).update(branch_founded=date(2026, 3, 15))
    assert (world.a_estate.name, "", kind.name) not in missed(at(2026, 4, 2, 9))  # March
    assert (world.a_estate.name, "", kind.name) in missed(at(2026, 5, 2, 9))  # April: missed
    Estate.objects.filter(pk=world.a_estate.pk).update(branch_founded=date(2026, 4, 1))
    assert (world.a_estate.name, "", kind.name) in missed(at(2026, 5, 2, 9))  # a whole April


def test_groups_are_overdue_on_their_own_meetings(world, only):
    kind = only("党小组会")  # monthly, each group
    meet(world.a_estate, kind, at(2026, 3, 5, 19), group=world.a_group)
    found = missed(at(2026, 4, 1, 9))
    assert (world.a_estate.name, world.a_group.name, kind.name) not in found
    assert (world.a_estate2.name, world.a2_group.name, kind.name) in found
    assert not any(group == "" for _estate, group, _kind in found)  # no branch row for groups


def test_each_user_sees_only_its_scope(world, only):
    only("支部委员会会议")
    now = at(2026, 4, 1, 9)
    assert {e for e, _g, _k in missed(now, user=world.staff_b)} == {world.b_estate.name}
    assert {e for e, _g, _k in missed(now, user=world.secretary_a1)} == {world.a_estate.name}
    assert {e for e, _g, _k in missed(now, user=world.town_user)} == {
        world.a_estate.name,
        world.a_estate2.name,
        world.b_estate.name,
    }


def _town_of(n, world):
    for i in range(n):
        estate = EstateFactory(community=world.a, name=f"测{n}-{i}")
        group = BuildingGroupFactory(estate=estate, name=f"测{n}-{i}组")
        group_set_buildings(group=group, buildings=[BuildingFactory(estate=estate)])


@pytest.mark.parametrize("estates", [3, 50])
def test_the_overdue_read_costs_three_queries_at_any_size(world, estates):
    _town_of(estates, world)
    with CaptureQueriesContext(connection) as queries:
        found = org_life_overdue(user=world.staff_a, now=at(2026, 4, 1, 9))
    assert len(queries) <= 3 + 1  # kinds, branches, groups (+ the scope, read once)
    assert len({o.estate_id for o in found}) == estates + 2
