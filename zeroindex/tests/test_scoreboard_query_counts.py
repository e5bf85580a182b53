"""Every read of the Five Zeros costs a fixed number of queries, whatever the number of
estates, buildings and incidents: the same count with 2 estates as with 50 (and an estate of
2 buildings as one of 50), including what a page reads from the rows it gets back."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import Estate
from branches.tests.factories import BuildingFactory, CommunityFactory, EstateFactory
from zeroindex.queries import (
    Period,
    building_board,
    community_ranking,
    estate_board,
    estate_ranking,
    five_zero_year,
    rollups,
    year_grid,
)

from .conftest import local

pytestmark = pytest.mark.django_db

CATEGORIES = ["construction", "pollution", "accident", "security", "petition"]


def build(world, records_from, incident, n_estates):
    """n estates over two communities of the town, two buildings each, records from 2024
    except every fifth (none), an incident every few months in most of them."""
    communities = [world.a, CommunityFactory(town=world.town, name="东湖社区")]
    for i in range(n_estates):
        estate = EstateFactory(community=communities[i % 2], name=f"测试小区{i:02d}")
        buildings = [BuildingFactory(estate=estate, name=f"{b}栋") for b in (1, 2)]
        if i % 5 == 4:
            continue
        records_from(estate, 2024, 1 + i % 12)
        for k in range(i % 3):
            incident(
                estate,
                CATEGORIES[(i + k) % 5],
                local(2025, 1 + (i * 5 + k * 4) % 12, 1 + k, 9, 0),
                building=buildings[k % 2] if k else None,
            )


def reads(world):
    """Each read, and what its page touches on the rows."""
    estates = Estate.objects.filter(community__town=world.town)
    return {
        "estate_board, month": lambda: [
            (r.estate.community.name, r.estate.name, r.status.five_zero, r.status.streak)
            for r in estate_board(period=Period(2025, 6), estates=estates)
        ],
        "estate_board, year": lambda: [
            (r.estate.community.name, r.status.marks, r.status.records_start)
            for r in estate_board(period=Period(2025), estates=estates)
        ],
        "year_grid": lambda: [
            (r.estate.community.name, r.estate.name, [c.mark for c in r.cells])
            for r in year_grid(year=2025, estates=estates)
        ],
        "rollups": lambda: [
            (r.community and r.community.name, r.share)
            for r in rollups(period=Period(2025), estates=estates)
        ],
        "estate_ranking": lambda: [
            (r.rank, r.place.name, r.place.community.name)
            for r in estate_ranking(year=2025, community=world.a)
        ],
        "community_ranking": lambda: [
            (r.rank, r.place.name) for r in community_ranking(year=2025, town=world.town)
        ],
        "five_zero_year": lambda: (
            [(e.community.name, e.name) for e in five_zero_year(year=2025).estates],
            [
                (b.estate.community.name, str(b))
                for b in five_zero_year(year=2025, estates=estates).buildings
            ],
        ),
    }


EXPECTED = {
    "estate_board, month": 3,  # estates; counts by month; latest incidents (streaks)
    "estate_board, year": 3,
    "year_grid": 2,  # estates; counts by month
    "rollups": 2,  # estates; counts by month
    "estate_ranking": 3,  # estates; counts by month; latest incidents
    "community_ranking": 4,  # communities; estates; counts by month; latest incidents
    "five_zero_year": 6,  # twice: estates; counts by estate and building; buildings
}


@pytest.mark.parametrize("n_estates", [2, 50])
def test_each_read_costs_the_same_queries_at_any_size(
    world, clock, records_from, incident, n_estates
):
    clock(2026, 3, 15)
    build(world, records_from, incident, n_estates)

    for name, read in reads(world).items():
        with CaptureQueriesContext(connection) as queries:
            read()
        assert len(queries) == EXPECTED[name], (name, n_estates, [q["sql"] for q in queries])


@pytest.mark.parametrize("n_buildings", [2, 50])
def test_a_buildings_board_costs_the_same_queries_at_any_size(
    world, clock, records_from, incident, n_buildings
):
    clock(2026, 3, 15)
    records_from(world.a_estate, 2024, 1)
    buildings = [BuildingFactory(estate=world.a_estate, name=f"{i}栋") for i in range(n_buildings)]
    for i, building in enumerate(buildings):
        incident(
            world.a_estate, CATEGORIES[i % 5], local(2025, 1 + i % 12, 3, 9, 0), building=building
        )

    with CaptureQueriesContext(connection) as queries:
        rows = building_board(period=Period(2025), estate=world.a_estate)
        [(str(r.building), r.status.five_zero, r.status.streak) for r in rows if r.building]
    # buildings; records start; counts by building and month; latest incidents
    assert len(queries) == 4, [q["sql"] for q in queries]
