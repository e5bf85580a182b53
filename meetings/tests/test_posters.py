"""Printable QR posters for estates and buildings, for staff in scope."""

import re

import pytest
from django.urls import reverse


def test_an_estate_poster_has_a_qr_code_to_the_preselected_form(client, world):
    client.force_login(world.staff_a)
    page = client.get(reverse("poster_estate", args=[world.a_estate.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "新都城" in html
    assert f"/appeals/new/?estate={world.a_estate.pk}" in html


def test_a_building_poster_preselects_estate_and_building(client, world):
    client.force_login(world.staff_a)
    html = client.get(reverse("poster_building", args=[world.a_building.pk])).content.decode()
    assert f"?estate={world.a_estate.pk}&amp;building={world.a_building.pk}" in html
    assert "a-1栋" in html


def test_the_qr_code_decodes_to_the_form_url(client, world):
    """The code on the poster is the URL printed under it (segno's own matrix, re-made)."""
    import segno

    client.force_login(world.staff_a)
    html = client.get(reverse("poster_estate", args=[world.a_estate.pk])).content.decode()
    url = re.search(r'text-break">([^<]+)</p>', html).group(1)
    assert url.startswith("http://testserver/appeals/new/?estate=")
    expected = segno.make(url, error="m").svg_inline(scale=8, border=2)
    path_of = re.compile(r' d="([^"]+)"')
    assert path_of.search(expected).group(1) in path_of.findall(html)


@pytest.mark.parametrize(
    "name, attr", [("poster_estate", "b_estate"), ("poster_building", "b_building")]
)
def test_posters_of_another_community_are_not_found(client, world, name, attr):
    client.force_login(world.staff_a)
    assert client.get(reverse(name, args=[getattr(world, attr).pk])).status_code == 404


def test_residents_cannot_open_posters(client, world):
    response = client.get(reverse("poster_estate", args=[world.a_estate.pk]))
    assert response.status_code == 302


def test_staff_find_the_poster_link_in_the_estate_list(client, world):
    client.force_login(world.staff_a)
    html = client.get(reverse("admin:branches_estate_changelist")).content.decode()
    assert reverse("poster_estate", args=[world.a_estate.pk]) in html
