"""A typed address finds the estate whose name (or address) is the longest part of it, then
the building of that estate named in the rest; a number matches only a whole number."""

import pytest

from branches.models import Building, Estate
from branches.places import place_by_address

from .factories import EstateFactory


@pytest.fixture
def xincheng(world):
    """新城景苑 (A's second estate) with buildings 3栋 and 13栋."""
    estate = world.a_estate2
    world.b3 = Building.objects.create(estate=estate, name="3栋")
    world.b13 = Building.objects.create(estate=estate, name="13栋")
    return world


def find(text, estates=None):
    return place_by_address(text, estates=estates or Estate.objects.all())


@pytest.mark.parametrize(
    "text, building",
    [
        ("新城景苑3栋", "b3"),
        ("光达社区 新城景苑 3栋", "b3"),
        ("新城景苑 ３栋 2单元", "b3"),  # fullwidth digits and spaces as typed on a phone
        ("新城景苑13栋", "b13"),
        ("新城景苑 13栋 门口", "b13"),
        ("3栋 新城景苑", "b3"),
    ],
)
def test_the_estate_and_its_building_are_found(xincheng, text, building):
    place = find(text)
    assert place.estate == xincheng.a_estate2
    assert place.building == getattr(xincheng, building)
    assert place.metres == 0.0


def test_3_is_not_found_in_13(xincheng):
    xincheng.b13.delete()
    place = find("新城景苑13栋")
    assert place.estate == xincheng.a_estate2
    assert place.building is None


def test_the_estate_alone_when_no_building_of_it_is_named(xincheng):
    place = find("新城景苑东门")
    assert place.estate == xincheng.a_estate2
    assert place.building is None
    # a building of another estate is not a building of this one
    assert find("新城景苑 a-1栋").building is None


def test_the_longest_estate_name_wins(xincheng):
    shorter = EstateFactory(community=xincheng.a, name="新城")
    Building.objects.create(estate=shorter, name="3栋")
    assert find("新城景苑3栋").building == xincheng.b3
    assert find("新城 3栋").estate == shorter


def test_an_estates_address_finds_it_too(world):
    world.a_estate.address = "长沙县黄兴镇星沙大道88号"
    world.a_estate.save(update_fields=["address"])
    two = Building.objects.create(estate=world.a_estate, name="2栋")
    place = find("长沙县黄兴镇星沙大道88号2栋")
    assert place.estate == world.a_estate
    assert place.building == two


def test_no_estate_named_is_no_place(xincheng):
    assert find("某某花园3栋") is None
    assert find("") is None
    assert find("   ") is None


def test_an_estate_outside_the_callers_estates_is_never_found(world):
    a_only = Estate.objects.filter(community=world.a)
    assert find("金星花园 b-1栋", estates=a_only) is None
    assert find("金星花园 b-1栋").building == world.b_building


def test_of_two_estates_of_one_name_the_one_whose_community_is_named_wins(world):
    twin = EstateFactory(community=world.b, name="新城景苑")
    assert find("金星社区新城景苑").estate == twin
    assert find("光达社区新城景苑").estate == world.a_estate2
