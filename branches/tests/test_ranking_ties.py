"""Equal points share a rank and the next rank skips (1, 1, 3): members in a branch, groups
in an estate, branches in a community and in the town."""

import pytest

from branches.models import Estate
from branches.rankings import branch_ranking, group_ranking, member_ranking
from branches.tests.factories import EstateFactory, MemberFactory

from .ranking_helpers import award, group_of

pytestmark = pytest.mark.django_db


def test_members_with_equal_points_share_a_rank_and_the_next_skips(world):
    estate = world.a_estate
    first, second, third = (MemberFactory(estate=estate, name=n) for n in ("甲", "乙", "丙"))
    award(first, 30)
    award(second, 20)
    award(second, 10)  # two entries: 30 in all, equal to the first
    award(third, 25)

    ranking = member_ranking(year=2026, estate=estate)

    assert [(m.name, m.points, m.rank) for m in ranking[:3]] == [
        ("乙", 30, 1),
        ("甲", 30, 1),
        ("丙", 25, 3),
    ]
    # the world's own member has no points: last, after the 25
    assert (ranking[-1].name, ranking[-1].points, ranking[-1].rank) == ("a-党员", 0, 4)


def test_groups_with_equal_points_share_a_rank(world):
    estate = EstateFactory(community=world.a, name="并列小区")
    group_of(estate, "一组", 3, points=(10, 5))
    group_of(estate, "二组", 3, points=(15,))
    group_of(estate, "三组", 3, points=(1,))

    ranking = group_ranking(year=2026, estate=estate)

    assert [(g.name, g.points, g.rank) for g in ranking] == [
        ("一组", 15, 1),
        ("二组", 15, 1),
        ("三组", 1, 3),
    ]


def test_branches_share_a_rank_in_their_community_and_in_the_town(world):
    x = EstateFactory(community=world.a, name="甲小区")
    y = EstateFactory(community=world.a, name="乙小区")
    z = EstateFactory(community=world.b, name="丙小区")
    group_of(x, "x", 3, points=(40,))
    group_of(y, "y", 3, points=(20, 20))
    group_of(z, "z", 3, points=(50,))

    ranking = {
        s.name: s
        for s in branch_ranking(
            year=2026, estates=Estate.objects.filter(community__town=world.town)
        )
    }

    # community A: 甲 40, 乙 40 (tied), then the world's two estates with 0 and fewer
    # than three members (not ranked); the town: 丙 50 first, then the tie at 2
    assert (ranking["甲小区"].rank, ranking["乙小区"].rank) == (1, 1)
    assert (ranking["甲小区"].town_rank, ranking["乙小区"].town_rank) == (2, 2)
    assert (ranking["丙小区"].rank, ranking["丙小区"].town_rank) == (1, 1)
    assert ranking["甲小区"].points == ranking["乙小区"].points == 40
