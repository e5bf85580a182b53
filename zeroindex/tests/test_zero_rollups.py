"""Roll-ups: for each community and for the town, how many estates are known and five-zero
for a period, and the share of known estates that are."""

import pytest

from branches.models import Estate
from branches.tests.factories import EstateFactory
from zeroindex.queries import Period, rollups

from .conftest import local

pytestmark = pytest.mark.django_db


def figures(rollup):
    return (
        rollup.community.name if rollup.community else None,
        rollup.estates,
        rollup.known,
        rollup.five_zero,
        rollup.incidents,
        rollup.share,
    )


def test_community_and_town_shares(world, clock, records_from, incident):
    clock(2026, 3, 15)
    third = EstateFactory(community=world.a, name="东苑")
    for estate in (world.a_estate, world.a_estate2, third):
        records_from(estate, 2025, 1)
    # b_estate has no records start: unknown, so not in the share
    incident(world.a_estate2, "pollution", local(2025, 6, 2, 9, 0))
    incident(world.a_estate2, "petition", local(2025, 6, 3, 9, 0))

    result = [figures(r) for r in rollups(period=Period(2025, 6), estates=Estate.objects.all())]
    assert result == [
        ("光达社区", 3, 3, 2, 2, 2 / 3),
        ("金星社区", 1, 0, 0, 0, None),
        (None, 4, 3, 2, 2, 2 / 3),
    ]


def test_roll_ups_cover_only_the_estates_given(world, clock, records_from):
    clock(2026, 3, 15)
    records_from(world.a_estate, 2025, 1)
    records_from(world.b_estate, 2025, 1)

    result = rollups(period=Period(2025), estates=Estate.objects.filter(community=world.b))
    assert [figures(r) for r in result] == [
        ("金星社区", 1, 1, 1, 0, 1.0),
        (None, 1, 1, 1, 0, 1.0),
    ]
