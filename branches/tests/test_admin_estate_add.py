"""Adding an estate: the page saves as it is given, with or without its first buildings in the
building rows, and refuses two new buildings of one name with a message."""

import pytest
from django.urls import reverse

from branches.models import Building, Estate

from .html_forms import read_form

ADD = reverse("admin:branches_estate_add")


@pytest.fixture
def form(world, client):
    """The add page's form as community staff of A get it, with the estate's name filled in."""
    client.force_login(world.staff_a)
    page = client.get(ADD)
    assert page.status_code == 200
    form = read_form(page.content.decode(), "estate_form")
    form.set("community", world.a.pk)
    form.set("name", "新小区")
    return form


def test_an_estate_is_added_with_the_page_as_given(world, client, form):
    page = client.post(ADD, form.data(submit="_save"))
    assert page.status_code == 302
    estate = Estate.objects.get(community=world.a, name="新小区")
    assert not estate.buildings.exists()


def test_an_estate_is_added_with_its_first_buildings(world, client, form):
    form.set("buildings-0-name", "1栋")
    form.set(f"buildings-{form.add_row('buildings')}-name", "2栋")
    page = client.post(ADD, form.data(submit="_save"))
    assert page.status_code == 302
    estate = Estate.objects.get(community=world.a, name="新小区")
    assert sorted(estate.buildings.values_list("name", flat=True)) == ["1栋", "2栋"]


def test_two_new_buildings_of_one_name_are_refused_with_a_message(world, client, form):
    form.set("buildings-0-name", "1栋")
    form.set(f"buildings-{form.add_row('buildings')}-name", "1栋")
    page = client.post(ADD, form.data(submit="_save"))
    assert page.status_code == 200
    assert "errornote" in page.content.decode()
    assert not Estate.objects.filter(name="新小区").exists()
    assert not Building.objects.filter(name="1栋").exists()
