"""Every station page, public and staff, runs the same number of queries with 3 estates as
with 50 (each with its station, volunteers and sessions): the figures are grouped queries,
never one per estate, facility, session or person."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import Estate, StaffRole, Volunteer
from branches.station_forms import week_param
from branches.tests.factories import (
    CommunityFactory,
    EstateFactory,
    MemberCategoryFactory,
    MemberFactory,
    StaffScopeFactory,
    TownFactory,
)

from .stations_helpers import days_ago, open_station, record, session_points

pytestmark = pytest.mark.django_db

# The session and user, then the page's own grouped reads (the week grid: its choices once
# for all twelve lines).
MAX_QUERIES = 30


@pytest.fixture
def town(db):
    t = SimpleNamespace(town=TownFactory(name="计数镇"))
    t.community = CommunityFactory(town=t.town, name="甲社区")
    t.category = MemberCategoryFactory(name="直管")
    t.staff = StaffScopeFactory(
        user__username="count-staff", role=StaffRole.COMMUNITY_STAFF, community=t.community
    ).user
    t.committee = StaffScopeFactory(
        user__username="count-town", role=StaffRole.TOWN_COMMITTEE, town=t.town
    ).user
    return t


def grow(t, total: int) -> None:
    """Bring the town to `total` estates, each with its station, two members, a volunteer
    and three sessions (two this year, one last week)."""
    session_points()
    for n in range(Estate.objects.count(), total):
        estate = EstateFactory(community=t.community, name=f"测试小区{n:03d}")
        station = open_station(estate)
        members = [
            MemberFactory(estate=estate, name=f"党员{n}-{k}", category=t.category) for k in range(2)
        ]
        volunteer = Volunteer.objects.create(estate=estate, name=f"志愿者{n}")
        record(station, people=10, members=members, volunteers=[volunteer], when=days_ago(1))
        record(station, people=5, members=members[:1], when=days_ago(3))
        record(station, people=8, volunteers=[volunteer], when=days_ago(8))


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_each_page_costs_the_same_with_3_and_with_50_estates(client, town):
    grow(town, 3)
    first = Estate.objects.order_by("pk").first()
    station = first.station
    session = station.sessions.order_by("pk").first()
    monday = days_ago(8).date()
    public = ["/stations/", f"/stations/{first.pk}/"]
    staff = [
        "/admin/branches/servicestation/",
        f"/admin/branches/servicestation/{station.pk}/change/",
        f"/admin/branches/servicestation/{station.pk}/hours/",
        "/admin/branches/servicesession/",
        f"/admin/branches/servicesession/?station__id__exact={station.pk}&held=year",
        f"/admin/branches/servicesession/{session.pk}/change/",
        "/admin/branches/volunteer/",
        f"/admin/branches/servicesession/week/?station={station.pk}&week={week_param(monday)}",
    ]

    def measure() -> dict:
        found = {url: count(client, url) for url in public}
        client.force_login(town.staff)
        found.update({("staff", url): count(client, url) for url in staff})
        client.force_login(town.committee)
        found.update({("town", url): count(client, url) for url in staff[:-1]})
        client.logout()
        return found

    measure()  # once to fill the process's caches (content types, the admin's registry)
    small = measure()
    grow(town, 50)
    assert Estate.objects.count() == 50
    large = measure()

    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large
