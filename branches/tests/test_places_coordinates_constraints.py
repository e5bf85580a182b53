"""Coordinates are both given or neither, and on the globe: refused by full_clean() with a
message next to the field, and by the database for whatever skips the form."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from branches.models import Building, Estate

PLACES = ["a_estate", "a_building"]


def refused_by_database(place, **columns):
    with pytest.raises(IntegrityError), transaction.atomic():
        type(place).objects.filter(pk=place.pk).update(**columns)


@pytest.mark.parametrize("attr", PLACES)
@pytest.mark.parametrize("given, missing", [("latitude", "longitude"), ("longitude", "latitude")])
def test_one_coordinate_without_the_other_is_refused(world, attr, given, missing):
    place = getattr(world, attr)
    setattr(place, given, Decimal("28.18"))
    with pytest.raises(ValidationError) as error:
        place.full_clean()
    assert error.value.message_dict[missing] == ["纬度和经度须同时填写，或都不填。"]
    refused_by_database(place, **{given: Decimal("28.18")})
    with pytest.raises(IntegrityError), transaction.atomic():
        place.save()


@pytest.mark.parametrize("attr", PLACES)
@pytest.mark.parametrize(
    "latitude, longitude, field",
    [("91", "113", "latitude"), ("-90.5", "113", "latitude"), ("28", "180.5", "longitude")],
)
def test_a_coordinate_off_the_globe_is_refused(world, attr, latitude, longitude, field):
    place = getattr(world, attr)
    place.latitude, place.longitude = Decimal(latitude), Decimal(longitude)
    with pytest.raises(ValidationError) as error:
        place.full_clean()
    assert field in error.value.message_dict
    refused_by_database(place, latitude=Decimal(latitude), longitude=Decimal(longitude))


@pytest.mark.parametrize("model", [Estate, Building])
@pytest.mark.parametrize("latitude, longitude", [(None, None), ("90", "-180"), ("-90", "180")])
def test_both_or_neither_within_range_are_kept(world, model, latitude, longitude):
    place = world.a_estate if model is Estate else world.a_building
    place.latitude = Decimal(latitude) if latitude else None
    place.longitude = Decimal(longitude) if longitude else None
    place.full_clean()
    place.save()
    place.refresh_from_db()
    assert (place.latitude, place.longitude) == (
        Decimal(latitude) if latitude else None,
        Decimal(longitude) if longitude else None,
    )
