"""A building group or a branch with fewer active members than RANKING_MIN_MEMBERS is shown
but not ranked, and takes no rank from the others."""

import pytest

from branches.models import Estate, Member
from branches.rankings import branch_ranking, group_ranking
from branches.tests.factories import EstateFactory

from .ranking_helpers import group_of

pytestmark = pytest.mark.django_db


def test_a_small_group_is_shown_but_not_ranked_even_with_the_most_points(world, settings):
    settings.RANKING_MIN_MEMBERS = 3
    estate = EstateFactory(community=world.a, name="小组小区")
    group_of(estate, "大组", 3, points=(10,))
    group_of(estate, "中组", 4, points=(5,))
    group_of(estate, "小组", 2, points=(100,))

    ranking = group_ranking(year=2026, estate=estate)

    assert [(g.name, g.rank, g.members) for g in ranking] == [
        ("大组", 1, 3),
        ("中组", 2, 4),
        ("小组", None, 2),
    ]


def test_inactive_members_do_not_count_towards_the_minimum(world, settings):
    settings.RANKING_MIN_MEMBERS = 3
    estate = EstateFactory(community=world.a, name="离开小区")
    _group, members = group_of(estate, "一组", 3, points=(10, 10, 10))
    Member.objects.filter(pk=members[0].pk).update(active=False)

    (standing,) = group_ranking(year=2026, estate=estate)

    assert (standing.members, standing.points, standing.rank) == (2, 20, None)


def test_the_minimum_is_a_setting(world, settings):
    settings.RANKING_MIN_MEMBERS = 1
    ranking = branch_ranking(year=2026, estates=Estate.objects.filter(community=world.a))
    # each of the world's estates has one member: ranked with a minimum of one
    assert all(s.rank == 1 for s in ranking)
    settings.RANKING_MIN_MEMBERS = 2
    ranking = branch_ranking(year=2026, estates=Estate.objects.filter(community=world.a))
    assert all(s.rank is None for s in ranking)
