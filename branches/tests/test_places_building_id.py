"""A building's id (its QR poster's number) finds it among the caller's estates; anything
that is not a positive whole number a database integer holds is no place, not an error."""

import pytest

from branches.models import Estate
from branches.places import place_by_building_id


def test_a_building_is_found_by_its_id_as_number_or_text(world):
    for value in (world.a_building.pk, str(world.a_building.pk), f" {world.a_building.pk} "):
        place = place_by_building_id(value, estates=Estate.objects.all())
        assert place.building == world.a_building
        assert place.estate == world.a_estate
        assert place.metres == 0.0


@pytest.mark.parametrize(
    "value",
    [0, -1, "0", "-1", "abc", "", None, "1.0", "1e3", "٣", "²", True, 2**63, 2**70, str(2**70)],
)
def test_a_value_that_is_no_id_is_no_place(world, value):
    assert place_by_building_id(value, estates=Estate.objects.all()) is None


def test_an_id_no_building_has_is_no_place(world):
    assert place_by_building_id(2**63 - 1, estates=Estate.objects.all()) is None


def test_a_building_outside_the_callers_estates_is_no_place(world):
    a_only = Estate.objects.filter(community=world.a)
    assert place_by_building_id(world.b_building.pk, estates=a_only) is None
    assert place_by_building_id(world.a_building.pk, estates=a_only).building == world.a_building
