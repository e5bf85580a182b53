"""Rankings for a year: estates in a community and communities in a town, by five-zero
months, then the current streak, then the fewest verified incidents; ties share a rank."""

import pytest

from branches.tests.factories import CommunityFactory, EstateFactory
from zeroindex.queries import community_ranking, estate_ranking

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(clock):
    return clock(2026, 3, 15)


def table(ranking):
    return [(r.rank, r.place.name, r.five_zero_months, r.streak, r.incidents) for r in ranking]


def test_estates_with_equal_figures_share_a_rank_and_the_next_skips(
    world, now, records_from, incident
):
    c = EstateFactory(community=world.a, name="东苑")
    for estate in (world.a_estate, world.a_estate2, c):
        records_from(estate, 2025, 1)
    incident(world.a_estate, "pollution", local(2025, 4, 2, 9, 0))
    incident(world.a_estate2, "petition", local(2025, 4, 20, 9, 0))
    incident(c, "petition", local(2025, 4, 20, 9, 0))
    incident(c, "security", local(2025, 9, 20, 9, 0))

    assert table(estate_ranking(year=2025, community=world.a)) == [
        (1, "新城景苑", 11, 8, 1),
        (1, "新都城", 11, 8, 1),
        (3, "东苑", 10, 3, 2),
    ]


def test_the_streak_decides_between_equal_months_then_the_incidents(
    world, now, records_from, incident
):
    c = EstateFactory(community=world.a, name="东苑")
    for estate in (world.a_estate, world.a_estate2, c):
        records_from(estate, 2025, 1)
    # Each has 11 five-zero months in 2025; a_estate's break is the latest, so its streak
    # at the year's end is the shortest; a_estate2 and c break in the same month, and c
    # with two incidents in it, so it ranks after a_estate2.
    incident(world.a_estate, "pollution", local(2025, 11, 2, 9, 0))
    incident(world.a_estate2, "petition", local(2025, 3, 2, 9, 0))
    incident(c, "petition", local(2025, 3, 2, 9, 0))
    incident(c, "accident", local(2025, 3, 3, 9, 0))

    assert table(estate_ranking(year=2025, community=world.a)) == [
        (1, "新城景苑", 11, 9, 1),
        (2, "东苑", 11, 9, 2),
        (3, "新都城", 11, 1, 1),
    ]


def test_more_five_zero_months_beat_a_longer_streak(world, now, records_from, incident):
    records_from(world.a_estate, 2025, 1)
    records_from(world.a_estate2, 2025, 6)  # fewer known months, no incident at all

    ranking = table(estate_ranking(year=2025, community=world.a))
    assert ranking == [(1, "新都城", 12, 12, 0), (2, "新城景苑", 7, 7, 0)]


def test_an_estate_without_records_ranks_last(world, now, records_from):
    records_from(world.a_estate, 2025, 1)

    assert table(estate_ranking(year=2025, community=world.a))[-1] == (2, "新城景苑", 0, 0, 0)


def test_communities_in_a_town_share_ranks_on_ties(world, now, records_from, incident):
    c = CommunityFactory(town=world.town, name="东湖社区")
    d = CommunityFactory(town=world.town, name="西湖社区")
    c_estate = EstateFactory(community=c, name="东湖苑")
    d_estate = EstateFactory(community=d, name="西湖苑")
    for estate in (world.a_estate, world.a_estate2, world.b_estate, c_estate, d_estate):
        records_from(estate, 2025, 1)
    # A: two estates with incidents in two different months → 10 five-zero months.
    incident(world.a_estate, "pollution", local(2025, 2, 2, 9, 0))
    incident(world.a_estate2, "pollution", local(2025, 5, 2, 9, 0))
    # B and D: one incident each in May → 11 months, streak 7, 1 incident: tied.
    incident(world.b_estate, "petition", local(2025, 5, 20, 9, 0))
    incident(d_estate, "security", local(2025, 5, 3, 9, 0))

    assert table(community_ranking(year=2025, town=world.town)) == [
        (1, "东湖社区", 12, 12, 0),
        (2, "西湖社区", 11, 7, 1),
        (2, "金星社区", 11, 7, 1),
        (4, "光达社区", 10, 7, 2),
    ]


def test_a_community_month_counts_only_its_estates_whose_records_are_known(
    world, now, records_from, incident
):
    records_from(world.a_estate, 2025, 1)
    records_from(world.a_estate2, 2025, 7)
    # before a_estate2's records start: an unknown month for it, so it does not break A
    incident(world.a_estate2, "pollution", local(2025, 3, 2, 9, 0))

    (a, b) = table(community_ranking(year=2025, town=world.town))
    assert a == (1, "光达社区", 12, 12, 0)
    assert b == (2, "金星社区", 0, 0, 0)  # no estate known: never five-zero


def test_an_estate_without_records_ranks_after_one_with_incidents_in_every_month(
    world, now, records_from, incident
):
    # a_estate is known all year but broke a zero every month (0 months, 0 streak, 12
    # incidents); a_estate2's records never started: nothing about it is known, so its
    # "0 incidents" is no merit and it must not rank first.
    records_from(world.a_estate, 2025, 1)
    for month in range(1, 13):
        incident(world.a_estate, "pollution", local(2025, month, 2, 9, 0))

    assert table(estate_ranking(year=2025, community=world.a)) == [
        (1, "新都城", 0, 0, 12),
        (2, "新城景苑", 0, 0, 0),
    ]


def test_a_community_with_no_estate_known_ranks_after_one_with_incidents(
    world, now, records_from, incident
):
    records_from(world.a_estate, 2025, 1)
    records_from(world.a_estate2, 2025, 1)
    for month in range(1, 13):
        incident(world.a_estate, "pollution", local(2025, month, 2, 9, 0))

    assert table(community_ranking(year=2025, town=world.town)) == [
        (1, "光达社区", 0, 0, 12),
        (2, "金星社区", 0, 0, 0),
    ]
