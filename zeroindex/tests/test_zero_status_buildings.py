"""A building's board: an incident that names a building counts for that building (and its
estate); one that names none counts for the estate only, in the board's last row."""

import pytest

from branches.models import Estate
from branches.tests.factories import BuildingFactory
from zeroindex.queries import Mark, Period, building_board, estate_board

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(world, clock, records_from):
    clock(2026, 3, 15)
    records_from(world.a_estate, 2025, 1)
    return world.a_estate


def test_an_incident_in_a_building_counts_for_it_and_one_without_for_the_estate_only(
    world, estate, incident
):
    other = BuildingFactory(estate=estate, name="10栋")
    incident(estate, "construction", local(2025, 6, 3, 9, 0), building=world.a_building)
    incident(estate, "petition", local(2025, 6, 4, 9, 0))

    rows = building_board(period=Period(2025, 6), estate=estate)
    by_building = {row.building: row.status for row in rows}
    assert [row.building for row in rows] == [other, world.a_building, None]
    assert by_building[world.a_building].marks["construction"] == Mark.NOT_ZERO
    assert by_building[world.a_building].marks["petition"] == Mark.ZERO
    assert by_building[other].five_zero == Mark.ZERO
    assert by_building[None].marks["petition"] == Mark.NOT_ZERO
    assert by_building[None].marks["construction"] == Mark.ZERO

    (estate_row,) = estate_board(
        period=Period(2025, 6), estates=Estate.objects.filter(pk=estate.pk)
    )
    assert estate_row.status.counts["construction"] == 1
    assert estate_row.status.counts["petition"] == 1


def test_buildings_follow_their_estates_records_start(world, estate, incident, records_from):
    records_from(estate, 2025, 7)
    incident(estate, "construction", local(2025, 6, 3, 9, 0), building=world.a_building)

    june = {
        row.building: row.status for row in building_board(period=Period(2025, 6), estate=estate)
    }
    july = {
        row.building: row.status for row in building_board(period=Period(2025, 7), estate=estate)
    }
    assert june[world.a_building].five_zero == Mark.UNKNOWN
    assert july[world.a_building].five_zero == Mark.ZERO
    assert july[world.a_building].records_start.isoformat() == "2025-07-01"


def test_another_estates_incidents_never_reach_these_buildings(
    world, estate, incident, records_from
):
    records_from(world.a_estate2, 2025, 1)
    incident(world.a_estate2, "construction", local(2025, 6, 3, 9, 0), building=world.a2_building)

    rows = building_board(period=Period(2025, 6), estate=estate)
    assert all(row.status.total == 0 for row in rows)
    assert world.a2_building not in [row.building for row in rows]


def test_buildings_come_in_number_order(estate):
    for name in ("2栋", "10栋", "1栋"):
        BuildingFactory(estate=estate, name=name)

    names = [
        row.building.name for row in building_board(period=Period(2025, 6), estate=estate)[:-1]
    ]
    assert names == ["1栋", "2栋", "10栋", "a-1栋"]
