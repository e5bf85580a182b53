"""The organisational-life pages run the same number of queries with 3 estates as with 50
(each with a group, a member and a meeting with attendance)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import OrgMeeting, OrgMeetingKind
from branches.orglife import Attendance, org_meeting_record
from branches.services import group_set_buildings
from branches.tests.orglife_seeded import seeded_lists  # noqa: F401

from .factories import BuildingFactory, BuildingGroupFactory, EstateFactory, MemberFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def town_of(world, n):
    """n estates in community A (the world's two included), each with a group, two members
    and a group meeting they attended."""
    kind = OrgMeetingKind.objects.get(name="党小组会")
    for i in range(n - 2):
        estate = EstateFactory(community=world.a, name=f"测{i}")
        group = BuildingGroupFactory(estate=estate, name=f"测{i}组")
        group_set_buildings(group=group, buildings=[BuildingFactory(estate=estate)])
        members = [MemberFactory(estate=estate, group=group, category=world.category) for _ in "12"]
        org_meeting_record(
            estate=estate,
            group=group,
            kind=kind,
            held_at=datetime(2026, 3, 10, 19, tzinfo=SHANGHAI),
            topic="小组会",
            attendance=[Attendance(members[0]), Attendance(members[1], False, "出差")],
        )


def count(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
    return len(queries)


PAGES = {
    "changelist": lambda: reverse("admin:branches_orgmeeting_changelist"),
    "change": lambda: reverse(
        "admin:branches_orgmeeting_change", args=[OrgMeeting.objects.first().pk]
    ),
    "overdue": lambda: reverse("admin:branches_orgmeeting_overdue"),
    "attendance": lambda: reverse("admin:branches_orgmeeting_attendance") + "?year=2026",
    "kinds": lambda: reverse("admin:branches_orgmeetingkind_changelist"),
}
BOUND = {"changelist": 13, "change": 26, "overdue": 11, "attendance": 11, "kinds": 11}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("estates", [3, 50])
def test_pages_cost_the_same_at_any_size(world, client, page, estates):
    town_of(world, estates)
    client.force_login(world.staff_a)
    path = PAGES[page]()
    count(client, path)  # warm the per-process caches
    assert count(client, path) <= BOUND[page]
