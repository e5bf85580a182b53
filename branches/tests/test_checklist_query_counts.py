"""The checklist's pages run the same number of queries with 3 estates as with 50: the
list (totals summed in its one query), a checklist's page, the template's list, and the
refresh of the automatic items (whatever the meetings and groups)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.checklists import checklist_entry_assess, checklist_open
from branches.models import BuildingGroup, Checklist, OrgMeetingKind

from .checklist_helpers import local, meeting
from .factories import EstateFactory

pytestmark = pytest.mark.django_db


def grow(world, estates: int):
    """`estates` estates in community A, each with a scored checklist of 2025, groups and a
    year of meetings."""
    kinds = list(OrgMeetingKind.objects.filter(every_months__isnull=False))
    have = Checklist.objects.count()
    for i in range(have, estates):
        estate = world.a_estate if i == 0 else EstateFactory(community=world.a)
        group = BuildingGroup.objects.create(estate=estate, name=f"组{i}")
        for month in (1, 6):
            for kind in kinds:
                meeting(
                    estate,
                    kind,
                    local(2025, month, 3, 9),
                    group=group if kind.level == "group" else None,
                )
        checklist = checklist_open(estate=estate, year=2025, by=world.staff_a)
        for entry in checklist.entries.select_related("item")[:3]:
            checklist_entry_assess(entry=entry, by=world.staff_a, self_score=1)


def count(client, method, path):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path)
    assert response.status_code in (200, 302)
    return len(queries)


def pages(world):
    checklist = Checklist.objects.get(estate=world.a_estate, year=2025)
    return [
        ("get", reverse("admin:branches_checklist_changelist")),
        ("get", reverse("admin:branches_checklist_change", args=[checklist.pk])),
        ("get", reverse("admin:branches_standarditem_changelist")),
        ("post", reverse("admin:branches_checklist_move", args=[checklist.pk, "refresh"])),
    ]


def test_the_pages_cost_the_same_with_3_and_50_estates(world, client):
    client.force_login(world.staff_a)
    grow(world, 3)
    for method, path in pages(world):
        count(client, method, path)  # warm the per-process caches
    few = [count(client, method, path) for method, path in pages(world)]

    grow(world, 50)

    assert Checklist.objects.count() == 50
    many = [count(client, method, path) for method, path in pages(world)]
    assert many == few
    assert max(few) <= 30, few
