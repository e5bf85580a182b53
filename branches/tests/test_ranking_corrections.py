"""A correction (a new ledger entry, never an edit) changes a member's total and so its rank."""

import pytest

from branches.ledger import ledger_correct, ledger_withdraw
from branches.rankings import group_ranking, member_ranking
from branches.tests.factories import EstateFactory, MemberFactory

from .ranking_helpers import award, clock_2026, group_of  # noqa: F401 - a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock_2026")]


def test_a_correction_moves_a_member_down(world):
    estate = EstateFactory(community=world.a, name="更正小区")
    first, second = MemberFactory(estate=estate, name="甲"), MemberFactory(estate=estate, name="乙")
    entry = award(first, 30)
    award(second, 20)
    assert [(m.name, m.rank) for m in member_ranking(year=2026, estate=estate)] == [
        ("甲", 1),
        ("乙", 2),
    ]

    ledger_correct(entry=entry, points=-15, reason="重复登记")

    assert [(m.name, m.points, m.rank) for m in member_ranking(year=2026, estate=estate)] == [
        ("乙", 20, 1),
        ("甲", 15, 2),
    ]


def test_a_withdrawn_entry_makes_a_tie(world):
    estate = EstateFactory(community=world.a, name="撤回小区")
    _g1, (a,) = group_of(estate, "一组", 1)
    _g2, (b,) = group_of(estate, "二组", 1)
    award(a, 10)
    award(b, 10)
    extra = award(a, 5)

    ledger_withdraw(key=extra.key, reason="登记错了")

    assert [(m.points, m.rank) for m in member_ranking(year=2026, estate=estate)] == [
        (10, 1),
        (10, 1),
    ]
    assert [g.points for g in group_ranking(year=2026, estate=estate)] == [10, 10]
