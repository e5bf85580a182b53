"""The demo town is on the map: every estate and building has coordinates around Huangxing
Town, estates a few hundred metres apart and buildings near their estate's centre; a second
run changes nothing, and it places the rows of an earlier seed that had none."""

from itertools import combinations

import pytest

from branches.demo import seed_branches_demo
from branches.models import Building, Estate
from branches.places import haversine_m, nearest_place


def metres(a, b):
    return haversine_m(float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude))


def spots():
    return list(Estate.objects.values_list("pk", "latitude", "longitude")) + list(
        Building.objects.values_list("pk", "latitude", "longitude")
    )


@pytest.fixture
def demo(db):
    seed_branches_demo()


def test_every_demo_estate_and_building_has_coordinates_in_huangxing(demo):
    estates = list(Estate.objects.all())
    assert len(estates) == 4
    for estate in estates:
        assert estate.latitude is not None and estate.longitude is not None
        assert abs(float(estate.latitude) - 28.18) < 0.02
        assert abs(float(estate.longitude) - 113.13) < 0.02
    assert not Building.objects.filter(latitude=None).exists()
    for a, b in combinations(estates, 2):
        assert 300 < metres(a, b) < 2000, (a, b)
    for building in Building.objects.select_related("estate"):
        assert metres(building, building.estate) < 150, building


def test_standing_by_a_demo_building_finds_it(demo):
    building = Building.objects.select_related("estate").get(estate__name="新都城", name="3栋")
    place = nearest_place(building.latitude, building.longitude, estates=Estate.objects.all())
    assert place.building == building


def test_a_second_run_changes_nothing_and_places_rows_seeded_without(demo):
    before = spots()
    seed_branches_demo()
    assert spots() == before
    Estate.objects.update(latitude=None, longitude=None)
    Building.objects.update(latitude=None, longitude=None)
    seed_branches_demo()
    assert spots() == before
