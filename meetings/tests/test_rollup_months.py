"""The month roll-ups: whatever the period (whole months, a partial month at either end, a
few days inside one month, across a year's end) and the unit (everywhere, a town, a
community, an estate), the committee's reads give what the daily rows alone give (worked
out here from them in Python, as the reads did before the month level existed); the whole
months come from the month tables; and an estate whose appeals are counted cannot move to
another community (its months are kept with its community)."""

from collections import Counter, defaultdict
from datetime import date, timedelta
from statistics import median

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings import queries
from meetings.models import (
    AppealDay,
    AppealMonth,
    Meeting,
    MeetingType,
    Source,
    StatusDay,
    StatusDuration,
    StatusDurationMonth,
    VisitDay,
)
from meetings.rollups import rollup_columns, rollups_verify
from meetings.services import (
    appeal_acknowledge,
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
)

PM = MeetingType.PARTY_MASSES


@pytest.fixture
def history(world, new_appeal):
    """Appeals over four months in three estates of two communities, from two sources:
    acknowledged, routed, fixed and visited after a few days each, so every roll-up table
    has rows in several months."""
    now = timezone.now().replace(hour=2)  # 10:00 local
    estates = [
        (world.a_estate, world.a_building),
        (world.a_estate2, world.a2_building),
        (world.b_estate, world.b_building),
    ]
    for i, ago in enumerate((118, 101, 95, 77, 64, 60, 47, 40, 33, 29, 18, 12, 6)):
        estate, building = estates[i % 3]
        filed = now - timedelta(days=ago)
        appeal = new_appeal(
            estate=estate,
            building=building,
            at=filed,
            source=(Source.WEB_FORM, Source.PHONE)[i % 2],
            contact_phone=f"139{i:08d}",
        )
        staff = world.staff_b if estate == world.b_estate else world.staff_a
        appeal_acknowledge(appeal=appeal, by=staff, at=filed + timedelta(days=i % 4))
        routed = filed + timedelta(days=1 + i % 5)
        appeal_route(
            appeal=appeal,
            to="handle",
            by=staff,
            meeting=_meeting(appeal, routed),
            at=routed,
        )
        if ago > 10:
            fixed = routed + timedelta(days=2 + i % 3)
            appeal_report_fix(appeal=appeal, by=staff, public_note="已处理", at=fixed)
            appeal_record_return_visit(
                appeal=appeal,
                by=staff,
                channel="phone",
                reached=True,
                solved=i % 4 != 0,
                satisfaction="satisfied",
                at=fixed + timedelta(days=1),
            )
    return timezone.localdate(now)


def _meeting(appeal, held_at):
    m = Meeting.objects.create(
        type=PM,
        community=appeal.estate.community,
        estate=appeal.estate,
        place="党群服务站",
        held_at=held_at,
    )
    m.agenda.add(appeal)
    return m


def _month(day) -> date:
    return day.replace(day=1)


def _periods(today: date) -> list[tuple[date, date]]:
    first = _month(today)
    last_month = _month(first - timedelta(days=1))
    three_back = _month(_month(last_month - timedelta(days=1)) - timedelta(days=1))
    return [
        (today - timedelta(days=125), today),  # partial at both ends
        (three_back, first - timedelta(days=1)),  # three whole months
        (three_back + timedelta(days=9), first - timedelta(days=1)),  # partial start
        (three_back, today),  # partial end (this month so far)
        (last_month + timedelta(days=3), last_month + timedelta(days=20)),  # inside one month
        (date(today.year - 1, 12, 20), date(today.year, 1, 10)),  # across a year's end
    ]


def _units(world):
    return [{}, {"town": world.town}, {"community": world.a}, {"estate": world.a_estate}]


def _daily(model, start, end, unit):
    return model.objects.filter(queries._unit(**unit), day__gte=start, day__lte=end)


def _sums(rows, key, columns) -> dict:
    total = defaultdict(Counter)
    for row in rows:
        total[key(row)].update({c: getattr(row, c) for c in columns})
    return {k: {c: v[c] for c in columns} for k, v in total.items()}


def test_the_reads_give_what_the_days_give_for_any_period_and_unit(world, history):
    columns = rollup_columns(AppealDay)
    for start, end in _periods(history):
        for unit in _units(world):
            where = f"{start}..{end} {unit}"
            rows = _daily(AppealDay, start, end, unit).select_related("estate")
            month_before = _month(_month(start) - timedelta(days=1))
            for previous in (
                (start - timedelta(days=30), start - timedelta(days=1)),  # days
                (month_before, _month(start) - timedelta(days=1)),  # a whole month
            ):
                got = queries.two_periods(
                    current=(start, end), previous=previous, level="estate", **unit
                )
                expected = _sums(rows, lambda r: ("current", _month(r.day), r.estate_id), columns)
                before = _daily(AppealDay, *previous, unit)
                expected |= _sums(
                    before, lambda r: ("previous", _month(r.day), r.estate_id), columns
                )
                assert {
                    (r["period"], r["month"], r["unit"]): {c: r[c] for c in columns} for r in got
                } == expected, (where, previous)

            visits = _daily(VisitDay, start, end, unit).select_related("estate")
            got = queries.by_unit(start=start, end=end, figures="visits", **unit)
            expected = _sums(visits, lambda r: r.estate.community_id, rollup_columns(VisitDay))
            assert {
                r["unit"]: {c: r[c] for c in rollup_columns(VisitDay)} for r in got
            } == expected, where

            got = queries.by_category_and_source(start=start, end=end, **unit)
            expected = _sums(rows, lambda r: (r.category_id, r.source), columns)
            assert {
                (r["category_key"], r["source_key"]): {c: r[c] for c in columns} for r in got
            } == expected, where

            got = queries.funnel(start=start, end=end, **unit)
            expected = Counter()
            for r in _daily(StatusDay, start, end, unit):
                expected[(r.meeting_type, r.move, r.from_status, r.to_status)] += r.n
            assert {
                (r["meeting_type"], r["move"], r["from_status"], r["to_status"]): r["n"]
                for r in got
            } == dict(expected), where

            days_in = defaultdict(list)
            for r in _daily(StatusDuration, start, end, unit):
                days_in[r.status] += [r.days] * r.n
            assert queries.status_medians(start=start, end=end, **unit) == {
                status: {"appeals": len(days), "median_days": median(days)}
                for status, days in days_in.items()
            }, where


def test_the_history_fills_months_and_ends(world, history):
    """The periods above are not vacuous: the whole months hold rows and so do the days
    around them."""
    start, end = _periods(history)[2]
    assert AppealMonth.objects.filter(month__gte=_month(start)).count() >= 3
    assert _daily(AppealDay, start, _month(start) + timedelta(days=40), {}).exists()
    assert StatusDurationMonth.objects.count() >= 3
    assert rollups_verify() == []


def test_whole_months_are_read_from_the_month_tables(world, history):
    """The speed of a long period rests on this: a whole month's figures come from its
    month row, a partial month's from its days (a month row changed by hand shows only in
    the first)."""
    last_month = _month(_month(history) - timedelta(days=1))
    whole = (last_month, _month(history) - timedelta(days=1))
    part = (last_month, last_month + timedelta(days=27))
    before = {p: queries.appeal_figures(start=p[0], end=p[1])["received"] for p in (whole, part)}
    AppealMonth.objects.filter(month=last_month, estate=world.a_estate).update(received=100)
    after = {p: queries.appeal_figures(start=p[0], end=p[1])["received"] for p in (whole, part)}
    assert after[part] == before[part]
    assert after[whole] != before[whole]


def test_verify_names_a_month_row_that_differs_from_its_days(world, history):
    last_month = _month(_month(history) - timedelta(days=1))
    row = StatusDurationMonth.objects.filter(month=last_month, community=world.a).first()
    StatusDurationMonth.objects.filter(pk=row.pk).update(n=row.n + 2)
    differences = rollups_verify()
    assert [(d.table, d.column, d.stored, d.recount) for d in differences] == [
        ("meetings_statusdurationmonth", "n", row.n + 2, row.n)
    ]


def test_an_estate_with_appeals_keeps_its_community(world, history):
    world.a_estate.community = world.b
    with pytest.raises(IntegrityError), transaction.atomic():
        world.a_estate.save()
    world.a_estate.refresh_from_db()
    assert world.a_estate.community == world.a
    # without appeals it may move
    fresh = type(world.a_estate).objects.create(community=world.a, name="新建小区")
    fresh.community = world.b
    fresh.save()
    fresh.refresh_from_db()
    assert fresh.community == world.b
