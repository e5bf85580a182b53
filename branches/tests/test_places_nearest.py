"""A position finds the nearest building with coordinates within the limit, else the nearest
estate, else nothing; only among the estates the caller may file in."""

import pytest

from branches.models import Building, Estate
from branches.places import nearest_place

from .places_helpers import locate, point


@pytest.fixture
def town(world):
    """A's first estate at the origin with its building 100 m east; A's second estate
    500 m north with no building placed; B's estate 300 m west with its building."""
    locate(world.a_estate)
    locate(world.a_building, east_m=100)
    locate(world.a_estate2, north_m=500)
    locate(world.b_estate, east_m=-300)
    locate(world.b_building, east_m=-250)
    return world


def everywhere():
    return Estate.objects.all()


def near(east_m=0, north_m=0, *, estates=None, within_m=300):
    return nearest_place(
        *point(east_m, north_m), estates=estates or everywhere(), within_m=within_m
    )


def test_the_nearest_building_is_the_place(town):
    place = near(east_m=90)
    assert place.building == town.a_building
    assert place.estate == town.a_estate
    assert place.metres == pytest.approx(10, abs=0.5)


def test_a_building_within_the_limit_wins_over_a_nearer_estate_centre(town):
    place = near(east_m=5)  # 5 m from the estate's centre, 95 m from its building
    assert place.building == town.a_building
    assert place.metres == pytest.approx(95, abs=0.5)


def test_without_a_building_near_the_nearest_estate_is_the_place(town):
    place = near(north_m=450)  # A's second estate 50 m away, no building of it placed
    assert place.estate == town.a_estate2
    assert place.building is None
    assert place.metres == pytest.approx(50, abs=0.5)


def test_a_kilometre_from_everything_there_is_no_place(town):
    assert near(east_m=1000, north_m=1000) is None
    assert near(north_m=-1000) is None


def test_the_limit_in_metres_is_kept(town):
    # the building 250 m away (the estate's centre 350 m)
    assert near(east_m=350, within_m=300).building == town.a_building
    assert near(east_m=350, within_m=240) is None
    # A's second estate 50 m away (everything else over 450 m)
    assert near(north_m=450, within_m=60).estate == town.a_estate2
    assert near(north_m=450, within_m=40) is None


def test_the_limit_is_a_circle_not_a_square(world):
    locate(world.a_building)
    # 150 m west and 150 m south: 212 m away
    assert near(east_m=-150, north_m=-150, within_m=200) is None
    assert near(east_m=-150, north_m=-150, within_m=220).building == world.a_building


def test_the_limit_defaults_to_the_setting(town, settings):
    settings.OPEN311_NEAREST_METRES = 50
    assert nearest_place(*point(east_m=350), estates=everywhere()) is None
    settings.OPEN311_NEAREST_METRES = 300
    assert nearest_place(*point(east_m=350), estates=everywhere()).building == town.a_building


def test_a_place_due_east_near_the_limit_is_found(town):
    """A degree of longitude is shorter than one of latitude here (cos 28° ≈ 0.88): the
    search reaches as far east as north."""
    assert near(east_m=385, within_m=290).building == town.a_building  # 285 m east
    assert near(north_m=285, east_m=100, within_m=290).building == town.a_building


def test_of_two_buildings_the_nearer_in_metres_wins_not_in_degrees(town):
    east = Building.objects.create(estate=town.a_estate2, name="东栋")
    north = Building.objects.create(estate=town.a_estate2, name="北栋")
    locate(east, east_m=2000 + 200)  # 200 m east of the point: more degrees than 210 m north
    locate(north, east_m=2000, north_m=210)
    place = near(east_m=2000, within_m=300)
    assert place.building == east
    assert place.metres == pytest.approx(200, abs=0.5)


def test_an_estate_outside_the_callers_estates_is_never_the_place(town):
    a_only = Estate.objects.filter(community=town.a)
    # B's building is 10 m away; A's estate 240 m and its building 340 m, beyond the limit
    assert near(east_m=-240, within_m=200).building == town.b_building
    assert near(east_m=-240, within_m=200, estates=a_only) is None
    b_only = Estate.objects.filter(community=town.b)
    assert near(east_m=90, estates=b_only) is None  # A's building 10 m away


def test_nor_is_its_estate_when_no_building_is_near(town):
    town.b_building.latitude = town.b_building.longitude = None
    town.b_building.save()
    a_only = Estate.objects.filter(community=town.a)
    # at B's estate; A's estate is 300 m away
    assert near(east_m=-300, within_m=250).estate == town.b_estate
    assert near(east_m=-300, within_m=250, estates=a_only) is None


def test_a_place_without_coordinates_is_never_the_place(world):
    assert near(estates=everywhere()) is None


@pytest.mark.parametrize("position", [(91, 113), (28, 181), ("x", 113), (float("nan"), 113)])
def test_a_position_off_the_globe_is_refused(town, position):
    with pytest.raises(ValueError):
        nearest_place(*position, estates=everywhere(), within_m=300)
