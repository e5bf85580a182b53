"""A session's own admin page: it offers the members and volunteers of the station's estate
only, records and changes through the services (a member taken off is withdrawn from the
ledger, one of another estate is refused beside the field) and deletes through them too."""

import pytest

from branches.models import ContributionEntry, ServiceSession, Volunteer

from .html_forms import read_form
from .stations_helpers import kind, open_station, points_of, record, session_points

pytestmark = pytest.mark.django_db

ADD = "/admin/branches/servicesession/add/"


def page(session):
    return f"/admin/branches/servicesession/{session.pk}/change/"


def options(form, name):
    (field,) = [f for f in form.fields if f.name == name]
    return {o.value for o in field.options if o.value}


def test_the_page_offers_only_the_stations_estate(client, world):
    station = open_station(world.a_estate)
    Volunteer.objects.create(estate=world.a_estate2, name="邻小区志愿者")
    mine = Volunteer.objects.create(estate=world.a_estate, name="本小区志愿者")
    client.force_login(world.staff_a)
    html = client.get(ADD, {"station": station.pk}).content.decode()
    form = read_form(html, "servicesession_form")
    assert options(form, "members") == {str(world.a_member.pk)}
    assert options(form, "volunteers") == {str(mine.pk)}
    assert options(form, "facility") == {
        str(pk) for pk in station.facilities.values_list("pk", flat=True)
    }
    session = record(station)
    form = read_form(client.get(page(session)).content.decode(), "servicesession_form")
    assert options(form, "members") == {str(world.a_member.pk)}


def test_a_clerk_records_changes_and_deletes_a_session_on_its_pages(client, world):
    points = session_points()
    station = open_station(world.a_estate)
    client.force_login(world.staff_a)
    form = read_form(
        client.get(ADD, {"station": station.pk}).content.decode(), "servicesession_form"
    )
    form.set("facility", station.facilities.first().pk)
    form.set("kind", kind().pk)
    form.set("people_served", "18")
    form.set("members", [world.a_member.pk])
    response = client.post(f"{ADD}?station={station.pk}", form.data(submit="_save"))
    assert response.status_code == 302
    session = ServiceSession.objects.get()
    assert session.people_served == 18 and session.recorded_by == world.staff_a
    assert points_of(world.a_member) == points

    form = read_form(client.get(page(session)).content.decode(), "servicesession_form")
    form.set("members", [])
    assert client.post(page(session), form.data(submit="_save")).status_code == 302
    assert points_of(world.a_member) == 0

    response = client.post(f"{page(session)[:-7]}delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ServiceSession.objects.exists()
    assert ContributionEntry.objects.filter(member=world.a_member).count() == 2


def test_a_member_of_another_estate_is_refused_beside_the_field(client, world):
    station = open_station(world.a_estate)
    session = record(station)
    client.force_login(world.staff_a)
    form = read_form(client.get(page(session)).content.decode(), "servicesession_form")
    data = form.data(submit="_save")
    data["members"] = [str(world.a2_member.pk)]
    response = client.post(page(session), data)
    assert response.status_code == 200
    assert "members" in response.context["adminform"].form.errors
    assert not session.members.exists()
