"""The station pages through the scope gate: community B's staff get "not found" for A's
station, facilities, volunteers, sessions, week grid and volunteer hours (lists, pages,
autocompletes, filters); a staff user without a scope sees nothing; the town committee
reads and records nothing; A's secretary works in its own estate only."""

import pytest
from django.contrib.auth import get_user_model

from branches.models import ServiceSession, ServiceStation, Volunteer

from .stations_helpers import open_station, record

pytestmark = pytest.mark.django_db

STATIONS = "/admin/branches/servicestation/"
SESSIONS = "/admin/branches/servicesession/"
VOLUNTEERS = "/admin/branches/volunteer/"
WEEK = f"{SESSIONS}week/"


@pytest.fixture
def a_station(world):
    station = open_station(world.a_estate, location="光达秘密地点")
    volunteer = Volunteer.objects.create(estate=world.a_estate, name="光达志愿者王某")
    session = record(station, people=17, members=[world.a_member], volunteers=[volunteer])
    return station, volunteer, session


def pages(station, volunteer, session):
    return [
        f"{STATIONS}{station.pk}/change/",
        f"{STATIONS}{station.pk}/hours/",
        f"{VOLUNTEERS}{volunteer.pk}/change/",
        f"{SESSIONS}{session.pk}/change/",
        f"{SESSIONS}{session.pk}/delete/",
    ]


def test_bs_staff_see_none_of_as_station(client, world, a_station):
    station, volunteer, session = a_station
    open_station(world.b_estate, location="金星的站")
    client.force_login(world.staff_b)
    for url in (STATIONS, SESSIONS, VOLUNTEERS):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert "光达秘密地点" not in html and "光达志愿者王某" not in html, url
        assert world.a_estate.name not in html, url  # not even in a filter
    for url in pages(station, volunteer, session):
        response = client.get(url, follow=True)
        assert response.status_code in (200, 404), url
        assert response.status_code == 404 or response.redirect_chain, url
        html = response.content.decode()
        assert "光达秘密地点" not in html and "光达志愿者王某" not in html, url
    assert client.get(WEEK, {"station": station.pk}).status_code == 404
    listed = client.get(SESSIONS, {"station__id__exact": station.pk})
    assert not list(listed.context["cl"].result_list)


def test_bs_staff_cannot_change_or_delete_as_records(client, world, a_station):
    station, volunteer, session = a_station
    client.force_login(world.staff_b)
    client.post(f"{SESSIONS}{session.pk}/delete/", {"post": "yes"})
    client.post(
        SESSIONS, {"action": "delete_selected", "_selected_action": [session.pk], "post": "yes"}
    )
    client.post(f"{STATIONS}{station.pk}/change/", {"location": "改掉", "opening_hours": "x"})
    client.post(
        WEEK + f"?station={station.pk}",
        {"row-TOTAL_FORMS": "1", "row-INITIAL_FORMS": "0", "row-0-people_served": "9"},
    )
    assert ServiceSession.objects.get() == session
    station.refresh_from_db()
    assert station.location == "光达秘密地点"


def test_bs_staff_cannot_open_a_station_for_as_estate(client, world):
    client.force_login(world.staff_b)
    page = client.get(f"{STATIONS}add/")
    assert world.a_estate.name not in page.content.decode()
    response = client.post(
        f"{STATIONS}add/",
        {"estate": world.a_estate.pk, "location": "x", "opening_hours": "y"},
    )
    assert response.status_code == 200 and "estate" in response.context["adminform"].form.errors
    assert not ServiceStation.objects.exists()


def test_the_member_autocomplete_of_a_session_offers_only_the_users_members(client, world):
    client.force_login(world.staff_b)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "branches", "model_name": "servicesession", "field_name": "members"},
    )
    assert response.status_code == 200
    assert {row["text"] for row in response.json()["results"]} == {world.b_member.name}


def test_a_user_without_a_scope_sees_nothing(client, world, a_station):
    station, volunteer, session = a_station
    nobody = get_user_model().objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)
    for url in [STATIONS, SESSIONS, VOLUNTEERS, WEEK, *pages(station, volunteer, session)]:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "光达秘密地点" not in response.content.decode()


def test_the_town_committee_reads_but_records_nothing(client, world, a_station):
    station, volunteer, session = a_station
    client.force_login(world.town_user)
    html = client.get(f"{STATIONS}{station.pk}/change/").content.decode()
    assert "光达秘密地点" in html and 'id="station-hours-link"' in html
    assert 'id="station-week-link"' not in html
    hours = client.get(f"{STATIONS}{station.pk}/hours/")
    assert hours.status_code == 200 and world.a_member.name in hours.content.decode()
    assert client.get(f"{SESSIONS}{session.pk}/change/").status_code == 200
    assert 'id="week-entry-link"' not in client.get(SESSIONS).content.decode()
    listed = client.get(STATIONS).content.decode()
    assert "/hours/" in listed and "/week/" not in listed
    assert client.get(WEEK, {"station": station.pk}).status_code == 403
    assert client.get(f"{SESSIONS}add/").status_code == 403
    assert client.get(f"{STATIONS}add/").status_code == 403
    client.post(f"{SESSIONS}{session.pk}/delete/", {"post": "yes"})
    assert ServiceSession.objects.filter(pk=session.pk).exists()


def test_as_secretary_works_in_its_own_estate_only(client, world, a_station):
    station, volunteer, session = a_station
    other = open_station(world.a_estate2, location="新城景苑的站")
    client.force_login(world.secretary_a1)
    html = client.get(STATIONS).content.decode()
    assert "光达秘密地点" in html and "新城景苑的站" not in html
    assert client.get(WEEK, {"station": station.pk}).status_code == 200
    assert client.get(WEEK, {"station": other.pk}).status_code == 404
    assert client.get(f"{STATIONS}{other.pk}/hours/").status_code == 404
    # its only station: the grid opens on it without asking
    assert client.get(WEEK).context["station"] == station
