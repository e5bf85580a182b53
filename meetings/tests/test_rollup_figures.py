"""The committee's reads over the roll-ups, on a small hand-made history whose numbers are
worked out here: sums for a unit and a period, the breakdowns, the funnel and the median
days in a status (computed by the database, the mean of the two middle values for an even
count)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings import queries
from meetings.models import MeetingType
from meetings.services import appeal_acknowledge, appeal_route

PM = MeetingType.PARTY_MASSES


@pytest.fixture
def history(world, new_appeal, meeting):
    """Four appeals of A routed after 1, 2, 4 and 9 days; one of B routed after 30; two of A
    filed last month, one acknowledged in time."""
    today = timezone.now().replace(hour=2)  # 10:00 local
    for days in (1, 2, 4, 9):
        appeal = new_appeal(at=today - timedelta(days=days))
        appeal_route(
            appeal=appeal, to="handle", by=world.staff_a, meeting=meeting(PM, appeal), at=today
        )
    b = new_appeal(estate=world.b_estate, building=None, at=today - timedelta(days=30))
    old = today - timedelta(days=40)
    late = new_appeal(at=old)
    appeal_acknowledge(appeal=late, by=world.staff_a, at=old + timedelta(days=3))
    quick = new_appeal(at=old, contact_phone="13800000000")
    appeal_acknowledge(appeal=quick, by=world.staff_a, at=old + timedelta(hours=3))
    return {"today": timezone.localdate(today), "old": timezone.localdate(old), "b": b}


def test_received_and_acknowledged_in_time_for_a_community_and_a_period(world, history):
    month = (history["old"], history["old"])
    figures = queries.appeal_figures(start=month[0], end=month[1], community=world.a)
    assert (figures["received"], figures["acknowledged"], figures["acknowledged_in_time"]) == (
        2,
        2,
        1,
    )
    everything = queries.appeal_figures(start=history["old"], end=history["today"])
    assert everything["received"] == 7
    only_a = queries.appeal_figures(start=history["old"], end=history["today"], community=world.a)
    assert only_a["received"] == 6
    nowhere = queries.appeal_figures(start=history["old"], end=history["today"], estate=0)
    assert nowhere == dict.fromkeys(everything, 0)


def test_breakdowns_by_unit_and_month(world, history):
    rows = queries.by_unit(start=history["old"], end=history["today"], town=world.town)
    assert {r["unit"]: r["received"] for r in rows} == {world.a.pk: 6, world.b.pk: 1}
    months = queries.by_month(start=history["old"], end=history["today"], community=world.a)
    assert sum(r["received"] for r in months) == 6
    assert all(r["month"].day == 1 for r in months)


def test_the_funnel_and_the_median_days_received(world, history):
    period = {"start": history["old"], "end": history["today"]}
    steps = queries.funnel(**period, community=world.a)
    routed = [s for s in steps if s["move"] == "route_handle"]
    assert routed == [
        {
            "meeting_type": PM,
            "move": "route_handle",
            "from_status": "received",
            "to_status": "in_progress",
            "n": 4,
        }
    ]
    # 1, 2, 4, 9 days: the median of an even count is (2 + 4) / 2
    medians = queries.status_medians(**period, community=world.a)
    assert medians == {"received": {"appeals": 4, "median_days": 3.0}}


def test_the_median_of_an_odd_count_is_the_middle_value(world, history, new_appeal, meeting):
    today = timezone.now().replace(hour=2)
    appeal = new_appeal(at=today - timedelta(days=9))
    pm = meeting(PM, appeal)
    appeal_route(appeal=appeal, to="handle", by=world.staff_a, meeting=pm, at=today)
    # 1, 2, 4, 9, 9 → 4
    medians = queries.status_medians(start=history["old"], end=history["today"], town=world.town)
    assert medians == {"received": {"appeals": 5, "median_days": 4.0}}
