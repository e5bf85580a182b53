"""Where a report lands: by lat/long the nearest building (else estate) within
OPEN311_NEAREST_METRES, by address_string the estate and building named, by address_id the
building; then the key's scope decides whether it may file there. Reads give the
building's (else the estate's) coordinates."""

from decimal import Decimal

import pytest

from meetings.models import Appeal

pytestmark = pytest.mark.django_db

# About 28.18 N: 0.001 degree of latitude is 111 m.
A = (Decimal("28.180000"), Decimal("113.130000"))


@pytest.fixture
def placed(world):
    """A's building at A, A's estate centre 100 m south; B's estate 2 km north."""
    world.a_estate.latitude, world.a_estate.longitude = A[0] - Decimal("0.0009"), A[1]
    world.a_estate.save()
    world.a_building.latitude, world.a_building.longitude = A
    world.a_building.save()
    world.b_estate.latitude, world.b_estate.longitude = A[0] + Decimal("0.018"), A[1]
    world.b_estate.save()
    world.b_building.latitude, world.b_building.longitude = A[0] + Decimal("0.018"), A[1]
    world.b_building.save()
    return world


def _report(key, category, **where):
    return {"api_key": key, "service_code": category.pk, "description": "路灯不亮", **where}


def test_a_point_near_a_building_files_there(placed, category, community_key, post):
    _row, key = community_key
    # 50 m east of A's building
    response = post(_report(key, category, lat="28.180000", long="113.130510"))
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get()
    assert (appeal.estate, appeal.building) == (placed.a_estate, placed.a_building)


def test_a_point_near_only_the_estate_files_at_the_estate(placed, category, community_key, post):
    _row, key = community_key
    placed.a_building.latitude = placed.a_building.longitude = None
    placed.a_building.save()
    response = post(_report(key, category, lat="28.179100", long="113.130000"))
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get()
    assert (appeal.estate, appeal.building) == (placed.a_estate, None)


def test_a_point_far_from_every_place_is_a_clear_400(placed, category, community_key, post):
    _row, key = community_key
    response = post(_report(key, category, lat="28.190000", long="113.130000"))  # 1.1 km
    assert response.status_code == 400
    assert "300" in response.json()[0]["description"]
    assert not Appeal.objects.exists()


def test_a_point_in_another_community_is_refused_for_a_community_key(
    placed, category, community_key, town_key, post
):
    _row, key = community_key
    near_b = {"lat": "28.198000", "long": "113.130000"}
    response = post(_report(key, category, **near_b))
    assert response.status_code == 403
    assert placed.a.name in response.json()[0]["description"]
    _row, town = town_key
    assert post(_report(town, category, **near_b)).status_code == 200
    assert Appeal.objects.get().estate == placed.b_estate


def test_an_address_string_names_the_estate_and_building(placed, category, community_key, post):
    _row, key = community_key
    response = post(_report(key, category, address_string="光达社区新都城a-1栋门口"))
    assert response.status_code == 200, response.content
    appeal = Appeal.objects.get()
    assert (appeal.estate, appeal.building) == (placed.a_estate, placed.a_building)
    unknown = post(_report(key, category, address_string="火星小区9栋"))
    assert unknown.status_code == 400


def test_a_read_gives_the_building_coordinates_else_the_estate(
    placed, category, community_key, post, client
):
    _row, key = community_key
    code = post(_report(key, category, address_id=placed.a_building.pk)).json()[0][
        "service_request_id"
    ]
    read = client.get(f"/open311/v2/requests/{code}.json").json()[0]
    assert (read["lat"], read["long"]) == (28.18, 113.13)
    assert read["address_id"] == str(placed.a_building.pk)
    estate_only = post(_report(key, category, address_string="新都城")).json()[0]
    read = client.get(f"/open311/v2/requests/{estate_only['service_request_id']}.json").json()[0]
    assert (read["lat"], read["long"]) == (28.1791, 113.13)
    assert read["address_id"] is None
