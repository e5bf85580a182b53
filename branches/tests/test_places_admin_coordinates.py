"""The estate and building pages take coordinates (the estate's building rows too); one
without the other, or one off the globe, is answered with a message on the page, never an
error page, and nothing is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from branches.models import Building, Estate

from .html_forms import read_form

BOTH_OR_NEITHER = "纬度和经度须同时填写，或都不填。"


def page_form(client, url, form_id):
    page = client.get(url)
    assert page.status_code == 200
    return read_form(page.content.decode(), form_id)


@pytest.fixture
def estate_page(world, client):
    client.force_login(world.staff_a)
    url = reverse("admin:branches_estate_change", args=[world.a_estate.pk])
    return url, page_form(client, url, "estate_form")


@pytest.fixture
def building_page(world, client):
    client.force_login(world.staff_a)
    url = reverse("admin:branches_building_change", args=[world.a_building.pk])
    return url, page_form(client, url, "building_form")


def coordinates(place):
    place.refresh_from_db()
    return place.latitude, place.longitude


def test_an_estate_and_its_buildings_are_placed_on_its_page(world, client, estate_page):
    url, form = estate_page
    form.set("latitude", "28.180000")
    form.set("longitude", "113.130000")
    form.set("buildings-0-latitude", "28.180500")
    form.set("buildings-0-longitude", "113.130500")
    assert client.post(url, form.data(submit="_save")).status_code == 302
    assert coordinates(world.a_estate) == (Decimal("28.18"), Decimal("113.13"))
    assert coordinates(world.a_building) == (Decimal("28.1805"), Decimal("113.1305"))


@pytest.mark.parametrize("field", ["latitude", "longitude"])
def test_an_estate_with_one_coordinate_gets_a_message(world, client, estate_page, field):
    url, form = estate_page
    form.set(field, "28.180000")
    page = client.post(url, form.data(submit="_save"))
    assert page.status_code == 200
    assert BOTH_OR_NEITHER in page.content.decode()
    assert coordinates(world.a_estate) == (None, None)


def test_a_building_row_with_one_coordinate_gets_a_message(world, client, estate_page):
    url, form = estate_page
    form.set("buildings-0-longitude", "113.130000")
    new = form.add_row("buildings")
    form.set(f"buildings-{new}-name", "9栋")
    form.set(f"buildings-{new}-latitude", "28.180000")
    page = client.post(url, form.data(submit="_save"))
    assert page.status_code == 200
    assert page.content.decode().count(BOTH_OR_NEITHER) == 2
    assert coordinates(world.a_building) == (None, None)
    assert not Building.objects.filter(name="9栋").exists()


def test_a_building_with_one_coordinate_gets_a_message(world, client, building_page):
    url, form = building_page
    form.set("latitude", "28.180000")
    page = client.post(url, form.data(submit="_save"))
    assert page.status_code == 200
    assert BOTH_OR_NEITHER in page.content.decode()
    assert coordinates(world.a_building) == (None, None)


def test_a_building_is_placed_on_its_page(world, client, building_page):
    url, form = building_page
    form.set("latitude", "28.180000")
    form.set("longitude", "113.130000")
    assert client.post(url, form.data(submit="_save")).status_code == 302
    assert coordinates(world.a_building) == (Decimal("28.18"), Decimal("113.13"))


def test_a_latitude_off_the_globe_gets_a_message(world, client, estate_page):
    url, form = estate_page
    form.set("latitude", "91")
    form.set("longitude", "113.13")
    page = client.post(url, form.data(submit="_save"))
    assert page.status_code == 200
    assert "errornote" in page.content.decode()
    assert Estate.objects.get(pk=world.a_estate.pk).latitude is None
