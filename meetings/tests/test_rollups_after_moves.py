"""After every kind of move (each entry of MOVES, and the changes and visits that are not
moves: an extension, a return visit not reached, a repeat appeal, a forum's appeal, a
hearing without quorum, a referral to a second department) the roll-ups equal a recount,
and the counts a committee member would see changed by exactly what the move did."""

from collections import Counter
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from meetings.models import (
    AppealDay,
    AppealMonth,
    CategoryMonth,
    Department,
    Meeting,
    MeetingType,
    Status,
    StatusDay,
    StatusDuration,
    StatusMonth,
    VisitDay,
    VisitMonth,
)
from meetings.models import StatusDurationMonth as DurationMonth
from meetings.rollups import rollup_columns, rollups_verify
from meetings.services import (
    MOVES,
    appeal_department_send_back,
    appeal_extend_due,
    appeal_record_hearing_vote,
    appeal_record_return_visit,
    appeal_route,
    forum_register_appeals,
)
from meetings.tests.test_appeal_moves import perform

PM, COORD, HEARING = MeetingType.PARTY_MASSES, MeetingType.COORDINATION, MeetingType.HEARING


def seen(level: str = "days") -> Counter:
    """Everything the roll-ups of a level ("days" or "months") hold, as the dashboard could
    add it up (the month level twice: per estate and per category and source)."""
    counts = Counter()
    if level == "days":
        appeals, visits, status, durations = AppealDay, VisitDay, StatusDay, StatusDuration
    else:
        appeals, visits, status, durations = AppealMonth, VisitMonth, StatusMonth, DurationMonth
        for row in CategoryMonth.objects.values(*rollup_columns(CategoryMonth)):
            counts.update({("by kind", column): n for column, n in row.items() if n})
        assert counts == Counter(
            {("by kind", c): n for (_, c), n in seen_appeals(appeals).items()}
        ), "the appeals by category and source add up to the appeals by estate"
        counts = Counter()
    counts.update(seen_appeals(appeals, "appeals"))
    counts.update(seen_appeals(visits, "visits"))
    for row in status.objects.all():
        counts[("funnel", row.from_status, row.to_status, row.move, row.meeting_type)] += row.n
    for row in durations.objects.all():
        counts[("left", row.status, row.days)] += row.n
    return counts


def seen_appeals(model, name="appeals") -> Counter:
    counts = Counter()
    for row in model.objects.values(*rollup_columns(model)):
        counts.update({(name, column): n for column, n in row.items() if n})
    return counts


def changed(before: Counter, after: Counter) -> dict:
    keys = set(before) | set(after)
    return {k: after[k] - before[k] for k in keys if after[k] != before[k]}


def funnel(source, move, target, meeting_type=""):
    return {("funnel", source, target, move, meeting_type): 1, ("left", source, 0): 1}


def flows(*columns):
    return {("appeals", c): 1 for c in columns}


VISITED = {("visits", c): 1 for c in ("visits", "reached", "satisfaction_answered", "on_time")}

# move → (the status it is made from, what it adds to the roll-ups), written out by hand.
EXPECTED = {
    "acknowledge": (Status.RECEIVED, flows("acknowledged", "acknowledged_in_time")),
    "route_handle": (Status.RECEIVED, funnel("received", "route_handle", "in_progress", PM)),
    "route_coordinate": (
        Status.RECEIVED,
        funnel("received", "route_coordinate", "coordinating", PM),
    ),
    "route_major": (Status.RECEIVED, funnel("received", "route_major", "hearing", PM)),
    "route_refer": (
        Status.REOPENED,
        {**funnel("reopened", "route_refer", "referred", PM), **flows("referred")},
    ),
    "decline": (
        Status.COORDINATING,
        {**funnel("coordinating", "decline", "closed", COORD), **flows("declined", "closed")},
    ),
    "close_duplicate": (
        Status.IN_PROGRESS,
        {
            **funnel("in_progress", "close_duplicate", "closed"),
            **flows("closed_duplicate", "closed"),
        },
    ),
    "withdraw": (
        Status.RECEIVED,
        {**funnel("received", "withdraw", "closed"), **flows("withdrawn", "closed")},
    ),
    "coordination_agreed": (
        Status.COORDINATING,
        funnel("coordinating", "coordination_agreed", "in_progress", COORD),
    ),
    "coordination_major": (
        Status.COORDINATING,
        funnel("coordinating", "coordination_major", "hearing", COORD),
    ),
    "coordination_refer": (
        Status.COORDINATING,
        {**funnel("coordinating", "coordination_refer", "referred", COORD), **flows("referred")},
    ),
    "hearing_passed": (Status.HEARING, funnel("hearing", "hearing_passed", "in_progress", HEARING)),
    "hearing_rejected": (
        Status.HEARING,
        {**funnel("hearing", "hearing_rejected", "closed", HEARING), **flows("declined", "closed")},
    ),
    "department_accept": (Status.REFERRED, funnel("referred", "department_accept", "in_progress")),
    "department_send_back": (
        Status.REFERRED,
        {**funnel("referred", "department_send_back", "reopened"), **flows("reopened")},
    ),
    "refer": (
        Status.IN_PROGRESS,
        {**funnel("in_progress", "refer", "referred"), **flows("referred")},
    ),
    "report_fix": (
        Status.IN_PROGRESS,
        {**funnel("in_progress", "report_fix", "resolved"), **flows("resolved")},
    ),
    "visit_solved": (
        Status.RESOLVED,
        {
            **funnel("resolved", "visit_solved", "closed"),
            **flows("closed_solved", "closed"),
            **VISITED,
            ("visits", "solved"): 1,
            ("visits", "satisfied"): 1,
        },
    ),
    "visit_not_solved": (
        Status.RESOLVED,
        {
            **funnel("resolved", "visit_not_solved", "reopened"),
            **flows("reopened"),
            **VISITED,
            ("visits", "satisfied"): 1,
        },
    ),
    "unreachable": (
        Status.RESOLVED,
        {
            **funnel("resolved", "unreachable", "closed"),
            **flows("closed_unreachable", "closed"),
            ("visits", "visits"): 1,
            ("visits", "not_reached"): 1,
            ("visits", "on_time"): 1,
        },
    ),
}


def test_every_move_is_in_the_table():
    assert set(EXPECTED) == set(MOVES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_move_adds_what_it_did_and_the_rollups_equal_a_recount(
    world, appeal_in, meeting, department, new_appeal, name
):
    status, expected = EXPECTED[name]
    original = new_appeal(title="更早的同一问题")
    appeal = appeal_in(status)
    before, months_before = seen(), seen("months")
    perform(name, appeal, world=world, meeting=meeting, department=department, original=original)
    assert changed(before, seen()) == expected
    # the month level changed by the same (whatever months the move's counts fall in)
    assert changed(months_before, seen("months")) == expected
    assert rollups_verify() == []


def test_an_extension_counts_as_extended(world, appeal_in):
    appeal = appeal_in(Status.IN_PROGRESS)
    before = seen()
    appeal_extend_due(
        appeal=appeal, by=world.staff_a, until=timezone.now() + timedelta(days=20), reason="雨季"
    )
    assert changed(before, seen()) == {("appeals", "extended"): 1}
    assert rollups_verify() == []


def test_a_visit_not_reached_is_counted_and_the_appeal_stays_resolved(world, appeal_in):
    appeal = appeal_in(Status.RESOLVED)
    before = seen()
    with override_settings(APPEAL_UNREACHABLE_ATTEMPTS=3):
        appeal_record_return_visit(appeal=appeal, by=world.staff_a, channel="phone", reached=False)
    assert changed(before, seen()) == {
        ("visits", "visits"): 1,
        ("visits", "not_reached"): 1,
        ("visits", "on_time"): 1,
    }
    assert rollups_verify() == []


def test_a_late_dissatisfied_visit_is_neither_on_time_nor_satisfied(world, appeal_in):
    appeal = appeal_in(Status.RESOLVED)
    before = seen()
    appeal_record_return_visit(
        appeal=appeal,
        by=world.staff_a,
        channel="phone",
        reached=True,
        solved=True,
        satisfaction="dissatisfied",
        at=appeal.return_visit_due_at + timedelta(hours=1),
    )
    after = changed(before, seen())
    assert after[("visits", "dissatisfied")] == 1
    assert ("visits", "on_time") not in after and ("visits", "satisfied") not in after
    assert rollups_verify() == []


def test_a_visit_within_an_extended_due_date_is_on_time(world, appeal_in):
    appeal = appeal_in(Status.RESOLVED)
    late = appeal.return_visit_due_at + timedelta(days=2)
    appeal_extend_due(
        appeal=appeal, by=world.staff_a, until=late + timedelta(hours=1), reason="居民外出"
    )
    before = seen()
    appeal_record_return_visit(
        appeal=appeal,
        by=world.staff_a,
        channel="phone",
        reached=True,
        solved=True,
        satisfaction="basically_satisfied",
        at=late,
    )
    after = changed(before, seen())
    assert after[("visits", "on_time")] == 1
    assert after[("visits", "basically_satisfied")] == 1
    assert rollups_verify() == []


def test_a_repeat_appeal_and_a_late_acknowledgement(world, new_appeal):
    first = new_appeal()
    before = seen()
    filed = timezone.now() - timedelta(days=3)
    repeat = new_appeal(title="灯还是不亮", at=filed)
    assert repeat.repeat_of == first
    assert changed(before, seen()) == {
        ("appeals", "received"): 1,
        ("appeals", "repeat"): 1,
        ("funnel", "", "received", "submitted", ""): 1,
    }
    perform("acknowledge", repeat, world=world, meeting=None, department=None, original=None)
    # Acknowledged today, three days after its deadline: on the day it was received.
    row = AppealDay.objects.get(day=timezone.localdate(filed))
    assert (row.received, row.acknowledged, row.acknowledged_in_time) == (1, 1, 0)
    assert rollups_verify() == []


def test_an_appeal_raised_at_a_forum_enters_the_funnel_at_the_forum(world, category):
    forum = Meeting.objects.create(type=MeetingType.FORUM, community=world.a, estate=world.a_estate)
    before = seen()
    forum_register_appeals(
        meeting=forum,
        rows=[
            {"estate": world.a_estate, "category": category, "title": "路灯", "description": "暗"}
        ],
        by=world.staff_a,
    )
    assert changed(before, seen()) == {
        ("appeals", "received"): 1,
        ("funnel", "", "received", "submitted", MeetingType.FORUM): 1,
    }
    assert rollups_verify() == []


def test_a_hearing_without_quorum_is_a_decision_of_the_hearing(world, appeal_in, meeting):
    appeal = appeal_in(Status.HEARING)
    before = seen()
    appeal_record_hearing_vote(
        appeal=appeal,
        meeting=meeting(HEARING, appeal),
        by=world.staff_a,
        eligible=30,
        present=5,
        votes_for=5,
        votes_against=0,
        abstain=0,
    )
    assert changed(before, seen()) == {("funnel", "hearing", "hearing", "hearing_vote", HEARING): 1}
    assert rollups_verify() == []


def test_a_referral_to_a_second_department_counts_again(world, appeal_in, meeting, department):
    appeal = appeal_in(Status.REFERRED)
    appeal_department_send_back(appeal=appeal, by=world.staff_a, reason="不属于本部门")
    other = Department.objects.create(name="县水务局", level="county")
    appeal_route(
        appeal=appeal, to="refer", by=world.staff_a, meeting=meeting(PM, appeal), department=other
    )
    today = AppealDay.objects.get(day=timezone.localdate())
    assert (today.referred, today.reopened) == (2, 1)
    assert rollups_verify() == []


def test_days_in_a_status_are_local_calendar_days(world, new_appeal, meeting):
    # Received late on the 1st (local), routed early on the 4th: three days in `received`.
    filed = timezone.now().replace(hour=15, minute=50) - timedelta(days=10)  # 23:50 local
    appeal = new_appeal(at=filed)
    routed = filed + timedelta(days=2, minutes=20)  # 00:10 local, two days and a bit later
    appeal_route(
        appeal=appeal, to="handle", by=world.staff_a, meeting=meeting(PM, appeal), at=routed
    )
    left = StatusDuration.objects.get()
    assert (left.day, left.status, left.days) == (timezone.localdate(routed), "received", 3)
    assert AppealDay.objects.get().day == timezone.localdate(filed)
    assert rollups_verify() == []
