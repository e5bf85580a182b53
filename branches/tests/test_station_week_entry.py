"""A clerk types a week of sessions into one grid: the filled lines are saved together through
session_record (members credited), empty lines are skipped; a line that needs correcting
comes back with the message beside it and everything typed kept, and nothing is saved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from branches.models import ContributionEntry, Member, ServiceSession
from branches.station_forms import WEEK_ROWS, week_param

from .html_forms import read_form
from .stations_helpers import kind, open_station, session_points

pytestmark = pytest.mark.django_db

URL = "/admin/branches/servicesession/week/"


def last_monday():
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


def week_page(client, station, monday):
    return client.get(URL, {"station": station.pk, "week": week_param(monday)})


def field(form, name):
    (found,) = [f for f in form.fields if f.name == name]
    return found


def fill(form, row, **values):
    for name, value in values.items():
        form.set(f"row-{row}-{name}", value)


def test_a_valid_week_is_saved_and_its_members_credited(client, world):
    points = session_points()
    station = open_station(world.a_estate)
    barber, clinic = station.facilities.order_by("position")[5:7]
    monday = last_monday()
    client.force_login(world.staff_a)
    page = week_page(client, station, monday)
    assert page.status_code == 200
    form = read_form(page.content.decode(), "week-form")
    fill(
        form,
        0,
        facility=barber.pk,
        day=monday.isoformat(),
        time="09:00",
        kind=kind().pk,
        people_served="14",
        members=[world.a_member.pk],
    )
    fill(
        form,
        3,
        facility=clinic.pk,
        day=(monday + timedelta(days=3)).isoformat(),
        time="14:30",
        kind=kind("义诊", "Free health checks").pk,
        people_served="21",
        minutes="90",
    )
    response = client.post(f"{URL}?station={station.pk}&week={week_param(monday)}", form.data())
    assert response.status_code == 302
    sessions = list(ServiceSession.objects.order_by("starts_at"))
    assert [(s.facility, s.people_served, s.minutes) for s in sessions] == [
        (barber, 14, 120),
        (clinic, 21, 90),
    ]
    assert timezone.localtime(sessions[1].starts_at).strftime("%Y-%m-%d %H:%M") == (
        f"{monday + timedelta(days=3)} 14:30"
    )
    assert sessions[0].recorded_by == world.staff_a
    assert ContributionEntry.objects.get().points == points
    page = client.get(response.url)
    assert 'id="week-people">35<' in page.content.decode()


def test_a_bad_line_keeps_the_typing_and_saves_nothing(client, world):
    session_points()
    station = open_station(world.a_estate)
    barber = station.facilities.order_by("position")[5]
    monday = last_monday()
    client.force_login(world.staff_a)
    form = read_form(week_page(client, station, monday).content.decode(), "week-form")
    fill(
        form,
        0,
        facility=barber.pk,
        day=monday.isoformat(),
        time="09:00",
        kind=kind().pk,
        people_served="14",
        members=[world.a_member.pk],
    )
    # the second line forgets how many were served and names a member of another estate
    # (which the page does not offer: sent by hand)
    fill(
        form,
        1,
        facility=barber.pk,
        day=(monday + timedelta(days=1)).isoformat(),
        time="10:15",
        kind=kind().pk,
    )
    data = form.data()
    data["row-1-members"] = [str(world.a2_member.pk)]
    response = client.post(f"{URL}?station={station.pk}&week={week_param(monday)}", data)
    assert response.status_code == 200
    assert not ServiceSession.objects.exists() and not ContributionEntry.objects.exists()
    html = response.content.decode()
    assert "Enter how many residents were served" in html or "请填写服务人数" in html
    rows = response.context["rows"].forms
    assert rows[1].errors and not rows[0].errors
    assert set(rows[1].errors) >= {"people_served", "members"}
    again = read_form(html, "week-form")
    assert field(again, "row-0-people_served").value == "14"
    assert field(again, "row-1-time").value == "10:15"
    chosen = [o.value for o in field(again, "row-0-members").options if o.selected]
    assert chosen == [str(world.a_member.pk)]


def test_a_day_still_to_come_is_refused_on_its_line(client, world):
    station = open_station(world.a_estate)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    client.force_login(world.staff_a)
    form = read_form(week_page(client, station, monday).content.decode(), "week-form")
    tomorrow = today + timedelta(days=1)
    if tomorrow - monday > timedelta(days=6):  # a Sunday: next week's grid has the day
        monday += timedelta(days=7)
        form = read_form(week_page(client, station, monday).content.decode(), "week-form")
    fill(
        form,
        0,
        facility=station.facilities.first().pk,
        day=tomorrow.isoformat(),
        time="09:00",
        kind=kind().pk,
        people_served="5",
    )
    response = client.post(f"{URL}?station={station.pk}&week={week_param(monday)}", form.data())
    assert response.status_code == 200
    assert "day" in response.context["rows"].forms[0].errors
    assert not ServiceSession.objects.exists()


def test_an_empty_grid_saves_nothing_and_says_so(client, world):
    station = open_station(world.a_estate)
    client.force_login(world.staff_a)
    monday = last_monday()
    form = read_form(week_page(client, station, monday).content.decode(), "week-form")
    response = client.post(
        f"{URL}?station={station.pk}&week={week_param(monday)}", form.data(), follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert not ServiceSession.objects.exists()


def test_more_lines_than_the_page_offers_are_refused(client, world):
    station = open_station(world.a_estate)
    client.force_login(world.staff_a)
    monday = last_monday()
    form = read_form(week_page(client, station, monday).content.decode(), "week-form")
    data = form.data()
    data["row-TOTAL_FORMS"] = str(WEEK_ROWS + 500)
    response = client.post(f"{URL}?station={station.pk}&week={week_param(monday)}", data)
    assert response.status_code == 200
    assert response.context["rows"].non_form_errors()
    assert len(response.context["rows"].forms) <= WEEK_ROWS


def test_a_bad_week_shows_this_week_with_a_message(client, world):
    station = open_station(world.a_estate)
    client.force_login(world.staff_a)
    today = timezone.localdate()
    # a week that does not exist, and the first and last weeks a calendar holds (the page
    # links the week before and after: a date out of range was a 500)
    for week in ("2026-W99", "0001-W01", "9999-W52"):
        page = client.get(URL, {"station": station.pk, "week": week})
        assert page.status_code == 200
        assert page.context["monday"] == today - timedelta(days=today.weekday())
        assert [m.level_tag for m in page.context["messages"]] == ["warning"]


def test_the_grid_offers_only_the_stations_people_and_facilities(client, world):
    station = open_station(world.a_estate)
    open_station(world.a_estate2)
    Member.objects.create(estate=world.a_estate2, name="外小区党员", category=world.category)
    client.force_login(world.staff_a)
    html = week_page(client, station, last_monday()).content.decode()
    assert world.a_member.name in html
    assert world.a2_member.name not in html and "外小区党员" not in html
    form = read_form(html, "week-form")
    offered = {o.value for o in field(form, "row-0-facility").options if o.value}
    assert offered == {str(pk) for pk in station.facilities.values_list("pk", flat=True)}


@pytest.mark.parametrize("station", ["abc", "²", "١", "99999999999999999999999", "-1", "1.5", ""])
def test_a_strange_station_is_not_found_or_chosen(client, world, station):
    open_station(world.a_estate)
    open_station(world.a_estate2)
    client.force_login(world.staff_a)
    response = client.get(URL, {"station": station, "week": "²⁰²⁶-W01"})
    assert response.status_code in (200, 404)
    if response.status_code == 200:  # no station asked: the list to choose from
        assert "stations" in response.context


@pytest.mark.parametrize("year", ["abc", "²⁰²⁶", "99999999999", "-1", "1999"])
def test_a_strange_year_of_volunteer_hours_shows_this_year(client, world, year):
    station = open_station(world.a_estate)
    client.force_login(world.staff_a)
    page = client.get(f"/admin/branches/servicestation/{station.pk}/hours/", {"year": year})
    assert page.status_code == 200
    assert page.context["year"] == timezone.localdate().year
    for url in (
        "/admin/branches/servicestation/²/change/",
        "/admin/branches/servicesession/add/?station=²",
        "/admin/branches/servicesession/add/?station=99999999999999999999999",
        "/admin/branches/servicesession/?station__id__exact=²",
    ):
        assert client.get(url).status_code in (200, 302, 404), url
