"""Finding a place runs the same number of queries with 3 estates as with 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import Building, Estate
from branches.places import nearest_place, place_by_address, place_by_building_id

from .factories import EstateFactory
from .places_helpers import locate, point


def grow(world, n, start=0):
    """n estates of A in a row 200 m apart going east, each with two placed buildings."""
    for i in range(start, start + n):
        estate = locate(EstateFactory(community=world.a, name=f"景{i}苑"), east_m=200 * i)
        for j in range(2):
            building = Building.objects.create(estate=estate, name=f"{j + 1}栋")
            locate(building, east_m=200 * i + 30 * j, north_m=40)


def queries(find):
    with CaptureQueriesContext(connection) as captured:
        find()
    return len(captured)


CASES = {
    "a building": lambda: nearest_place(*point(30, 40), estates=Estate.objects.all(), within_m=300),
    "an estate": lambda: nearest_place(*point(0, -100), estates=Estate.objects.all(), within_m=110),
    "nothing": lambda: nearest_place(*point(0, -5000), estates=Estate.objects.all(), within_m=300),
    "an address": lambda: place_by_address("景1苑 2栋", estates=Estate.objects.all()),
    "a building id": lambda: place_by_building_id("1", estates=Estate.objects.all()),
}


@pytest.mark.parametrize("case", CASES)
def test_queries_do_not_grow_with_estates(world, case):
    find = CASES[case]
    grow(world, 3)
    few = queries(find)
    grow(world, 47, start=3)
    assert Estate.objects.count() == 53
    assert queries(find) == few
    assert few <= 2


def test_the_cases_find_what_they_say(world):
    grow(world, 3)
    assert CASES["a building"]().building.name == "2栋"
    place = CASES["an estate"]()
    assert place.building is None and place.estate.name == "景0苑"
    assert CASES["nothing"]() is None
    assert CASES["an address"]().building.estate.name == "景1苑"
