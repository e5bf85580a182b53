"""Helpers of the ranking tests: points given through the ledger's own service."""

import itertools
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from branches.ledger import ledger_award
from branches.models import ContributionSource
from branches.tests.factories import BuildingGroupFactory, MemberFactory

_keys = itertools.count(1)


def award(member, points: int, on: date | None = None):
    """A manual award of `points` to `member` (dated `on`, 1 June 2026 by default)."""
    return ledger_award(
        member=member,
        source=ContributionSource.MANUAL,
        key=f"test:{next(_keys)}:{member.pk}",
        on=on or date(2026, 6, 1),
        points=points,
        reason="测试",
    )


def group_of(estate, name: str, members: int, category=None, points=()):
    """A building group of `estate` with `members` members; `points[i]` awarded to the i-th."""
    group = BuildingGroupFactory(estate=estate, name=name)
    made = []
    for i in range(members):
        extra = {"category": category} if category else {}
        member = MemberFactory(estate=estate, group=group, name=f"{name}-{i}", **extra)
        if i < len(points) and points[i]:
            award(member, points[i])
        made.append(member)
    return group, made


@pytest.fixture
def clock_2026(monkeypatch):
    """ "Now" is 1 July 2026 (corrections are dated the day they are made)."""
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 7, 1, 4, 0, tzinfo=UTC))
