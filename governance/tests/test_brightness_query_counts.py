"""Every Three Brightness page runs the same number of queries with 3 estates as with 50
(each with a group of members, points, a consenting member, a commitment, a session and a
meeting): rankings, achievements and cards are grouped queries and windows, never one per
branch, group or member."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.ledger import member_consent_set
from branches.models import Estate
from branches.tests.factories import EstateFactory
from branches.tests.ranking_helpers import award, group_of

from .achievement_helpers import commitment, local, org_meeting, session

pytestmark = pytest.mark.django_db
YEAR = 2026
# the session and user, the scope, then the rankings, the achievements (the annotated
# estates, appeals, visits, the year grid's), commitments and cards: 10-11 today
MAX_QUERIES = 12


def grow(world, total: int) -> None:
    for n in range(Estate.objects.count(), total):
        estate = EstateFactory(community=world.b if n % 2 else world.a, name=f"计数小区{n:03d}")
        group, members = group_of(estate, f"计数{n}组", 3, points=(n % 7, 3, 1))
        member_consent_set(member=members[0], given=True, on=date(2026, 2, 1))
        made = commitment(group, YEAR)
        made.members.add(members[0])
        session(estate, local(2026, 4, 1, 9, 0), 12)
        org_meeting(estate, local(2026, 4, 2, 19, 0))
        award(members[1], 2)


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def pages(world) -> list[tuple[object, str]]:
    some = world.a_estate2
    return [
        (None, reverse("branch_brightness", args=[some.pk]) + f"?year={YEAR}"),
        (world.town_user, reverse("dashboard_branches") + f"?year={YEAR}"),
        (world.staff_a, reverse("dashboard_branches") + f"?year={YEAR}"),
        (world.town_user, reverse("dashboard_branches_csv") + f"?year={YEAR}"),
        (world.staff_a, reverse("dashboard_branch", args=[some.pk]) + f"?year={YEAR}"),
    ]


def costs(client, world) -> list[int]:
    found = []
    for user, url in pages(world):
        if user is None:
            client.logout()
        else:
            client.force_login(user)
        found.append(count(client, url))
    return found


def test_each_page_costs_the_same_with_3_and_with_50_estates(client, world):
    for estate in Estate.objects.all():  # the world's three, each with something to show
        group_of(estate, f"{estate.name}组", 3, points=(4, 2))
        session(estate, local(2026, 4, 1, 9, 0), 12)
    member_consent_set(member=world.a_member, given=True, on=date(2026, 2, 1))
    small = costs(client, world)
    grow(world, 50)
    large = costs(client, world)

    assert large == small, list(zip(pages(world), small, large, strict=True))
    assert max(large) <= MAX_QUERIES, large
