"""Every scoreboard page runs the same number of queries with 2 estates as with 50 (each with
buildings, a records start and incidents): the boards are read by grouped queries, never
one per estate, building or incident. A page that starts looping shows here as a count
that grows with the town."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import Estate, StaffRole
from branches.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    StaffScopeFactory,
    TownFactory,
)
from zeroindex import views
from zeroindex.services import incident_record, incident_verify, records_start_set

from .conftest import local

pytestmark = pytest.mark.django_db

# The session and the user, the places to choose from, then each read's grouped queries:
# the board, the roll-ups, the year's picture (and on the dashboard the pending counts and
# the two rankings): 22 at most today.
MAX_QUERIES = 24


@pytest.fixture
def town(db):
    """A town of its own (so the page shows exactly these estates), two communities, a
    committee member and a community's staff."""
    t = SimpleNamespace(town=TownFactory(name="计数镇"))
    t.a = CommunityFactory(town=t.town, name="甲社区")
    t.b = CommunityFactory(town=t.town, name="乙社区")
    t.committee = StaffScopeFactory(
        user__username="count-town", role=StaffRole.TOWN_COMMITTEE, town=t.town
    ).user
    t.staff = StaffScopeFactory(
        user__username="count-staff", role=StaffRole.COMMUNITY_STAFF, community=t.a
    ).user
    return t


def grow(t, total: int) -> None:
    """Bring the town to `total` estates, alternately in its two communities, each with two
    buildings, records from 2025 and incidents: verified in two categories (in one of the
    last three months), one awaiting verification."""
    for n in range(Estate.objects.count(), total):
        estate = EstateFactory(community=t.b if n % 2 else t.a, name=f"测试小区{n:03d}")
        building = BuildingFactory(estate=estate, name="1栋")
        BuildingFactory(estate=estate, name="2栋")
        records_start_set(estate=estate, month=date(2025, 1, 1))
        for category, day, where in (("pollution", 3, building), ("petition", 5, None)):
            made = incident_record(
                estate=estate,
                building=where,
                category=category,
                occurred_at=local(2026, 3 - n % 3, day, 10, 0),
                description="测试",
            )
            incident_verify(incident=made)
        incident_record(
            estate=estate, category="accident", occurred_at=local(2026, 3, 7), description="待核实"
        )


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_each_page_costs_the_same_with_2_and_with_50_estates(client, town, clock, monkeypatch):
    # the whole town's board at 50 estates too (a larger town asks for a community first)
    monkeypatch.setattr(views, "PUBLIC_BOARD_ESTATES", 1_000)
    clock(2026, 3, 15)
    grow(town, 2)
    first = Estate.objects.order_by("pk").first().pk
    public = [
        "/scoreboard/?period=2026-03",
        "/scoreboard/?period=2026",
        f"/scoreboard/?period=2026-03&community={town.a.pk}",
        f"/scoreboard/estates/{first}/?period=2026-03",
        f"/scoreboard/estates/{first}/?period=2026",
    ]
    staff = [
        "/dashboard/zeros/?period=2026-03",
        "/dashboard/zeros/?period=2026",
        f"/dashboard/zeros/?period=2026-03&community={town.a.pk}",
        "/dashboard/zeros/export.csv?period=2026-03",
        f"/dashboard/zeros/estates/{first}/?period=2026-03",
    ]

    def measure() -> dict:
        found = {url: count(client, url) for url in public}
        for user in (town.committee, town.staff):
            client.force_login(user)
            found.update({(user.username, url): count(client, url) for url in staff})
            client.logout()
        return found

    small = measure()
    grow(town, 50)
    assert Estate.objects.count() == 50
    large = measure()

    assert large == small
    assert max(large.values()) <= MAX_QUERIES, large
