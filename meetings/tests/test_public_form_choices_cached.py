"""The form's estates, buildings and categories are read once a minute per server process,
not on every page: a crowd opening the form (a poster in every lobby) costs the database
nothing for them. Yet a new estate shows within that minute, each page names the
categories in its own language, and a choice is always checked against the database."""

from branches.tests.factories import BuildingFactory, EstateFactory
from meetings import queries
from meetings.models import Appeal

CHOICE_TABLES = ("branches_estate", "branches_building", "meetings_appealcategory")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_a_second_form_page_reads_none_of_the_choices(client, world, category):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get("/appeals/new/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        for path in ("/appeals/new/", f"/appeals/new/?building={world.a_building.pk}"):
            html = client.get(path).content.decode()
            assert world.a_estate.name in html and world.a_building.name in html
            assert category.name in html
    read = [q["sql"] for q in captured if any(t in q["sql"] for t in CHOICE_TABLES)]
    # The poster's building is looked up to find its estate; nothing else is read.
    assert len(read) <= 1, read


def test_a_new_estate_and_building_show_within_a_minute(client, world, monkeypatch):
    client.get("/appeals/new/")
    estate = EstateFactory(community=world.a, name="星河湾")
    building = BuildingFactory(estate=estate, name="9栋")
    later = queries._clock() + queries.PUBLIC_CHOICES_SECONDS + 1
    monkeypatch.setattr(queries, "_clock", lambda: later)
    html = client.get("/appeals/new/").content.decode()
    assert f'<option value="{estate.pk}">' in html and "星河湾" in html
    assert f'data-estate="{estate.pk}">9栋</option>' in html
    assert building.pk


def test_each_page_names_the_categories_in_its_own_language(client, category):
    category.name_en = "Property management"
    category.save()
    assert "Property management" not in client.get("/appeals/new/").content.decode()
    assert "Property management" in english(client).get("/appeals/new/").content.decode()
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/appeals/new/").content.decode()
    assert "Property management" not in html and "物业管理" in html


def test_a_choice_not_yet_on_the_cached_page_is_checked_against_the_database(
    client, world, form_data
):
    client.get("/appeals/new/")
    estate = EstateFactory(community=world.a, name="星河湾")
    building = BuildingFactory(estate=estate, name="9栋")
    response = client.post("/appeals/new/", {**form_data, "estate": estate.pk, "building": ""})
    assert response.status_code == 302
    assert Appeal.objects.get().estate == estate
    # A building of another estate is refused, whatever the page offered.
    response = client.post("/appeals/new/", {**form_data, "building": building.pk})
    assert response.status_code == 200 and Appeal.objects.count() == 1
