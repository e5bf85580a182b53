"""A station's facilities are edited on its page: renamed, closed, reordered, one added; one
that has sessions cannot be deleted (the page says why, nothing is lost); the town
committee sees them and changes nothing; a new station starts with the case's eight."""

import pytest

from branches.models import DEFAULT_FACILITIES, Facility, ServiceStation

from .html_forms import read_form
from .stations_helpers import open_station, record

pytestmark = pytest.mark.django_db


def page_url(station):
    return f"/admin/branches/servicestation/{station.pk}/change/"


def row_of(form, station, name):
    facility = station.facilities.get(name=name)
    (field,) = [f for f in form.fields if f.name.endswith("-id") and f.value == str(facility.pk)]
    return field.name.removesuffix("-id")


def test_staff_close_rename_and_add_facilities(client, world):
    station = open_station(world.a_estate)
    client.force_login(world.staff_a)
    page = client.get(page_url(station))
    assert page.status_code == 200
    form = read_form(page.content.decode(), "servicestation_form")
    playground = row_of(form, station, "儿童游乐场")
    form.set(f"{playground}-is_open", False)
    form.set(f"{row_of(form, station, '法律咨询室')}-name", "法律服务室")
    new = form.add_row("facilities")
    form.set(f"facilities-{new}-name", "图书角")
    response = client.post(page_url(station), form.data(submit="_save"))
    assert response.status_code == 302
    facilities = dict(station.facilities.values_list("name", "is_open"))
    assert facilities["儿童游乐场"] is False
    assert "法律服务室" in facilities and "法律咨询室" not in facilities
    assert facilities["图书角"] is True and len(facilities) == 9


def test_a_facility_with_sessions_cannot_be_deleted(client, world):
    station = open_station(world.a_estate)
    barber = station.facilities.get(name="志愿理发室")
    record(station, facility=barber)
    client.force_login(world.staff_a)
    form = read_form(client.get(page_url(station)).content.decode(), "servicestation_form")
    form.set(f"{row_of(form, station, '志愿理发室')}-DELETE", True)
    response = client.post(page_url(station), form.data(submit="_save"))
    assert response.status_code == 200
    assert Facility.objects.filter(pk=barber.pk).exists()


def test_a_new_station_starts_with_the_cases_facilities(client, world):
    client.force_login(world.staff_a)
    response = client.post(
        "/admin/branches/servicestation/add/",
        {"estate": world.a_estate2.pk, "location": "3栋架空层", "opening_hours": "每天 9:00"},
    )
    assert response.status_code == 302
    station = ServiceStation.objects.get(estate=world.a_estate2)
    assert response.url == page_url(station)
    names = list(station.facilities.order_by("position").values_list("name", flat=True))
    assert names == [name for name, _en in DEFAULT_FACILITIES]


def test_the_town_committee_sees_the_facilities_and_changes_none(client, world):
    station = open_station(world.a_estate)
    client.force_login(world.town_user)
    html = client.get(page_url(station)).content.decode()
    assert "志愿诊疗室" in html and 'name="facilities-0-name"' not in html
    client.post(page_url(station), {"location": "改掉"})
    station.refresh_from_db()
    assert station.location == "2栋一楼架空层"
