"""Every branches list and object page runs the same number of queries however many rows
it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Building, Member
from branches.services import group_set_buildings

from .factories import BuildingGroupFactory, EstateFactory, MemberFactory

PAGES = [
    ("changelist", None),
    ("change", "pk"),
]
MODELS = {
    "town": "town",
    "community": "a",
    "estate": "a_estate",
    "building": "a_building",
    "buildinggroup": "a_group",
    "member": "a_member",
    "membercategory": "category",
}


def grow(world, n):
    """n more estates in A, and buildings, groups and members in A's first estate."""
    for i in range(n):
        EstateFactory(community=world.a, secretary=world.secretary_a1)
        group = BuildingGroupFactory(estate=world.a_estate)
        building = Building.objects.create(estate=world.a_estate, name=f"扩{i}栋")
        group_set_buildings(group=group, buildings=[building])
        for _ in range(2):
            MemberFactory(estate=world.a_estate, group=group, category=world.category)


def count(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model, attr", MODELS.items())
@pytest.mark.parametrize("view", ["changelist", "change"])
def test_page_queries_do_not_grow_with_rows(world, client, model, attr, view):
    client.force_login(world.staff_a)
    args = [getattr(world, attr).pk] if view == "change" else []
    path = reverse(f"admin:branches_{model}_{view}", args=args)
    count(client, path)  # warm the per-process caches (content types, translations)
    few = count(client, path)
    grow(world, 15)
    assert Member.objects.count() > 30
    assert count(client, path) == few
    assert few <= 25
