"""The public station pages (no login): the list of estates with their station and this
year's sessions and residents served, the total across all; each station's place, hours,
facilities open or closed, its year by kind of service and its last sessions. Head counts
only: no resident, no name of a member or volunteer who served, no phone; 404 for an
estate without a station."""

from datetime import datetime

import pytest
from django.utils import timezone

from branches.models import Facility, Volunteer

from .stations_helpers import days_ago, kind, open_station, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations(world):
    a = open_station(world.a_estate, location="2栋一楼架空层", hours="周一至周六 8:30–17:30")
    a2 = open_station(world.a_estate2, location="社区服务中心", hours="每天 9:00–17:00")
    Facility.objects.filter(station=a, name="儿童游乐场").update(is_open=False)
    doctor = Volunteer.objects.create(
        estate=world.a_estate, name="陈医生隐私", kind=Volunteer.Kind.PROFESSIONAL
    )
    clinic = a.facilities.get(name="志愿诊疗室")
    today = timezone.localdate()
    record(a, people=20, members=[world.a_member], volunteers=[doctor], facility=clinic)
    record(a, people=7, when=days_ago(2))
    record(a2, people=11)
    # last year's session counts in no figure of this year
    last_year = timezone.make_aware(datetime(today.year - 1, 12, 31, 20, 0))
    record(a, people=500, when=last_year)
    return a, a2


def test_the_list_shows_each_station_and_the_total_of_the_year(client, world, stations):
    page = client.get("/stations/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="total-people">38<' in html and 'id="total-sessions">3<' in html
    rows = {e.pk: (e.n_sessions, e.n_people) for e in page.context["estates"]}
    assert rows == {world.a_estate.pk: (2, 27), world.a_estate2.pk: (1, 11)}
    assert world.b_estate.name not in html  # no station: not listed


def test_a_station_page_shows_its_place_hours_facilities_and_year(client, world, stations):
    a, _a2 = stations
    page = client.get(f"/stations/{world.a_estate.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "2栋一楼架空层" in html and "周一至周六 8:30–17:30" in html
    assert 'id="people-served">27<' in html and 'id="sessions-held">2<' in html
    facilities = {
        f.name: (f.is_open, n, people) for f, n, people in page.context["figures"].by_facility
    }
    assert facilities["儿童游乐场"][0] is False
    assert facilities["志愿诊疗室"] == (True, 1, 20)
    assert len(facilities) == 8
    assert [(k, n, p) for k, n, p in page.context["figures"].by_kind] == [(kind(), 2, 27)]
    assert len(page.context["recent"]) == 3  # last year's too, newest first
    assert page.context["recent"][0].people_served == 20


def test_no_personal_data_on_the_public_pages(client, world, stations):
    world.a_member.phone = "13912345678"
    world.a_member.save()
    for url in ("/stations/", f"/stations/{world.a_estate.pk}/"):
        html = client.get(url).content.decode()
        assert world.a_member.name not in html, url
        assert "陈医生隐私" not in html, url
        assert "13912345678" not in html and "1391" not in html, url


def test_an_estate_without_a_station_is_not_found(client, world, stations):
    assert client.get(f"/stations/{world.b_estate.pk}/").status_code == 404
    assert client.get("/stations/999999/").status_code == 404
    assert client.get("/stations/abc/").status_code == 404
    # a number no database integer holds (a fuzzer's first try) is not found either
    assert client.get(f"/stations/{2**63}/").status_code == 404
    assert client.get(f"/stations/{10**30}/brightness/").status_code == 404


def test_the_pages_answer_only_reading(client, world, stations):
    assert client.post("/stations/").status_code == 405
    assert client.post(f"/stations/{world.a_estate.pk}/").status_code == 405


def test_the_home_page_links_to_the_stations(client, world):
    html = client.get("/").content.decode()
    assert 'id="stations-link"' in html and 'href="/stations/"' in html


def test_a_new_year_starts_from_zero(client, world, stations, monkeypatch):
    next_year = timezone.make_aware(datetime(timezone.localdate().year + 1, 1, 1, 0, 30))
    monkeypatch.setattr(timezone, "now", lambda: next_year)
    page = client.get(f"/stations/{world.a_estate.pk}/")
    assert page.context["figures"].people == 0
    assert 'id="people-served">0<' in page.content.decode()


def test_the_year_is_a_local_year(client, world):
    """Half an hour either side of local midnight on New Year's Eve (16:00 UTC): the one
    before counts in last year, the one after in this year."""
    station = open_station(world.a_estate)
    year = timezone.localdate().year
    before = timezone.make_aware(datetime(year - 1, 12, 31, 23, 30))
    after = timezone.make_aware(datetime(year, 1, 1, 0, 30))
    if after > timezone.now():
        pytest.skip("the first half hour of the year")
    record(station, people=3, when=before)
    record(station, people=4, when=after)
    page = client.get(f"/stations/{world.a_estate.pk}/")
    assert page.context["figures"].people == 4
    assert client.get("/stations/").context["totals"]["people"] == 4
