"""/dashboard/, its downloads and its report read a fixed number of queries whatever the
number of appeals, places, categories and months: the same with 10 appeals as with 60
(the figures come from grouped reads of the daily roll-ups, never a loop over appeals), and
no more than the page's budget."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import AppealCategory, Source

from .dashboard_helpers import filed, fixed, visited
from .yearend_helpers import local

# at the user's own place and at a place below it that is asked for (a community is read
# with its estates, in one query)
BUDGET = 15


def _appeals(world, n: int, offset: int = 0) -> None:
    """n appeals over the year's months, both communities' estates, three categories and
    every source; every other one fixed and visited."""
    categories = [
        AppealCategory.objects.get_or_create(name=name)[0]
        for name in ("物业管理", "环境卫生", "停车管理")
    ]
    estates = [world.a_estate, world.a_estate2, world.b_estate]
    sources = list(Source.values)
    for i in range(offset, offset + n):
        at = local(2025, 1 + i % 12, 1 + i % 27)
        appeal = filed(
            world, categories[i % 3], at, estate=estates[i % 3], source=sources[i % len(sources)]
        )
        if i % 2 and appeal.estate_id != world.b_estate.pk:
            fixed(world, appeal, at + timedelta(days=1))
            visited(world, appeal, at + timedelta(days=2), satisfaction="satisfied")


def _count(client, path, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, query)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


PAGES = [
    ("/dashboard/", {"period": "2025"}),
    ("/dashboard/", {"period": "2025-Q2", "unit": "community-{a}"}),
    ("/dashboard/", {"from": "2025-01-15", "to": "2025-11-20", "unit": "estate-{a_estate}"}),
    ("/dashboard/table/months.csv", {"period": "2025"}),
    ("/dashboard/table/places.xlsx", {"period": "2025"}),
    ("/dashboard/report/", {"period": "2025"}),
]


@pytest.mark.parametrize("path, query", PAGES)
def test_the_same_queries_with_10_and_with_60_appeals(client, world, path, query):
    query = {k: v.format(a=world.a.pk, a_estate=world.a_estate.pk) for k, v in query.items()}
    client.force_login(world.town_user)
    _appeals(world, 10)
    few = _count(client, path, query)
    _appeals(world, 50, offset=10)
    many = _count(client, path, query)
    assert few == many
    assert many <= BUDGET


def test_community_staff_page_within_fifteen_queries(client, world):
    _appeals(world, 20)
    client.force_login(world.staff_a)
    assert _count(client, "/dashboard/", {"period": "2025"}) <= 15
