"""Attendance rate per member and year: meetings present at ÷ meetings expected at (the
attendance list), counted by the database over the local (Shanghai) year; and the last
meeting of each expected kind per branch and group."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import OrgMeetingKind
from branches.orglife import Attendance, org_meeting_record
from branches.queries import org_attendance_rates, org_life_last_meetings
from branches.tests.factories import MemberFactory
from branches.tests.orglife_seeded import seeded_lists  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


@pytest.fixture
def year_of_meetings(world):
    kind = OrgMeetingKind.objects.get(name="主题党日")
    second = MemberFactory(estate=world.a_estate, name="李四", category=world.category)
    times = [
        datetime(2025, 12, 31, 15, 30, tzinfo=UTC),  # 23:30 in Shanghai: 2025's
        datetime(2025, 12, 31, 16, 30, tzinfo=UTC),  # 00:30 on 1 January in Shanghai: 2026's
        datetime(2026, 5, 4, 19, tzinfo=SHANGHAI),
        datetime(2026, 9, 4, 19, tzinfo=SHANGHAI),
        datetime(2026, 11, 4, 19, tzinfo=SHANGHAI),
    ]
    for i, held_at in enumerate(times):
        org_meeting_record(
            estate=world.a_estate,
            kind=kind,
            held_at=held_at,
            topic="主题党日",
            attendance=[
                Attendance(world.a_member, present=i != 2, reason="" if i != 2 else "出差"),
                Attendance(second),
            ],
        )
    return kind, second


def test_rates_count_the_local_year(world, year_of_meetings):
    _kind, second = year_of_meetings
    rates = {m.name: m for m in org_attendance_rates(user=world.staff_a, year=2026)}
    assert (rates[world.a_member.name].expected, rates[world.a_member.name].present) == (4, 3)
    assert rates[world.a_member.name].rate == pytest.approx(75.0)
    assert rates[second.name].rate == pytest.approx(100.0)
    last_year = {m.name: m for m in org_attendance_rates(user=world.staff_a, year=2025)}
    assert last_year[second.name].expected == 1
    assert world.a2_member.name not in rates  # expected at nothing: not listed


def test_rates_are_scoped(world, year_of_meetings):
    assert not org_attendance_rates(user=world.staff_b, year=2026).exists()
    assert org_attendance_rates(user=world.secretary_a1, year=2026).count() == 2


def test_rates_are_one_query(world, year_of_meetings):
    rates = org_attendance_rates(user=world.staff_a, year=2026)
    with CaptureQueriesContext(connection) as queries:
        assert len(list(rates)) == 2
    assert len(queries) == 1


def test_the_last_meeting_of_each_kind(world, year_of_meetings):
    kind, _second = year_of_meetings
    last = org_life_last_meetings(estate_ids=[world.a_estate.pk, world.b_estate.pk])
    assert last == {(world.a_estate.pk, None, kind.pk): datetime(2026, 11, 4, 19, tzinfo=SHANGHAI)}
