"""A year's points are the entries dated in that local (Asia/Shanghai) year: an award on
31 December counts for that year, one on 1 January for the next, and a correction made at
00:10 on 1 January in Shanghai (still 31 December in UTC) counts for the new year."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from branches.ledger import ledger_correct
from branches.models import Estate
from branches.rankings import branch_ranking, member_ranking
from branches.tests.factories import MemberFactory

from .ranking_helpers import award

pytestmark = pytest.mark.django_db


def points(estate, year):
    return {m.name: m.points for m in member_ranking(year=year, estate=estate)}


def test_entries_count_in_their_local_year(world):
    late = MemberFactory(estate=world.a_estate, name="年末")
    early = MemberFactory(estate=world.a_estate, name="年初")
    award(late, 7, on=date(2025, 12, 31))
    award(early, 9, on=date(2026, 1, 1))

    assert (points(world.a_estate, 2025)["年末"], points(world.a_estate, 2025)["年初"]) == (7, 0)
    assert (points(world.a_estate, 2026)["年末"], points(world.a_estate, 2026)["年初"]) == (0, 9)


def test_a_correction_just_after_midnight_in_shanghai_counts_for_the_new_year(world, monkeypatch):
    member = MemberFactory(estate=world.a_estate, name="更正")
    entry = award(member, 10, on=date(2025, 12, 20))
    # 2025-12-31 16:10 UTC is 2026-01-01 00:10 in Shanghai
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 12, 31, 16, 10, tzinfo=UTC))

    ledger_correct(entry=entry, points=-4, reason="多计")

    assert points(world.a_estate, 2025)["更正"] == 10
    assert points(world.a_estate, 2026)["更正"] == -4
    estates = Estate.objects.filter(pk=world.a_estate.pk)
    assert branch_ranking(year=2026, estates=estates)[0].points == -4
