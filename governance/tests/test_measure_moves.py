"""A rectification measure moves like a survey task (zeroindex.tracked_work): started, done,
dropped with a reason, given to another owner, given a new date; each move writes what it
changed, and what may not be done is refused with a reason: outside the scope, by the
committee, from a finished status, or by the second of two clerks at once. Measures are added
and rewritten only while the report is a draft; they move after it is published."""

import pytest
from django.utils import translation

from governance.measures import (
    measure_add,
    measure_delete,
    measure_done,
    measure_drop,
    measure_reassign,
    measure_set_due,
    measure_set_text,
    measure_start,
)
from governance.models import MeasureStatus, RectificationMeasure
from governance.reports import branch_report_publish
from meetings.moves import MoveRefused, Refusal

from .measure_helpers import in_days


@pytest.fixture(autouse=True)
def _english():
    """The refusals' messages are matched in English."""
    with translation.override("en"):
        yield


def test_adding_a_measure_records_its_owner_and_due_date(world, measure):
    assert (measure.status, measure.owner, measure.due_on) == (
        "open",
        world.secretary_a1,
        in_days(30),
    )
    event = measure.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "open", world.staff_a)
    assert event.data == {"owner": world.secretary_a1.pk, "due_on": in_days(30).isoformat()}
    assert measure.remind_at is not None


def test_start_then_done(world, measure):
    measure_start(measure=measure, by=world.secretary_a1)
    measure = measure_done(measure=measure, note="已安装", by=world.secretary_a1)
    assert measure.status == MeasureStatus.DONE and measure.done_at is not None
    assert measure.remind_at is None
    moves = [(e.from_status, e.to_status, e.data) for e in measure.events.all()][1:]
    assert moves == [("open", "in_progress", {}), ("in_progress", "done", {"note": "已安装"})]


def test_start_is_only_from_open(world, measure):
    measure_start(measure=measure, by=world.secretary_a1)
    with pytest.raises(MoveRefused, match="already in progress"):
        measure_start(measure=measure, by=world.secretary_a1)


@pytest.mark.parametrize("finish", ["done", "drop"])
def test_a_finished_measure_moves_no_more(world, measure, finish):
    if finish == "done":
        measure_done(measure=measure, by=world.staff_a)
    else:
        measure_drop(measure=measure, reason="资金未落实", by=world.staff_a)
    for move in (
        lambda: measure_start(measure=measure, by=world.staff_a),
        lambda: measure_done(measure=measure, by=world.staff_a),
        lambda: measure_drop(measure=measure, reason="x", by=world.staff_a),
        lambda: measure_reassign(measure=measure, owner=world.staff_a, by=world.staff_a),
        lambda: measure_set_due(measure=measure, due_on=in_days(60), by=world.staff_a),
    ):
        with pytest.raises(MoveRefused, match="This measure is already") as refused:
            move()
        assert refused.value.kind == Refusal.CONFLICT


def test_dropping_needs_a_reason_and_records_it(world, measure):
    with pytest.raises(MoveRefused, match="Say why"):
        measure_drop(measure=measure, reason="  ", by=world.staff_a)
    measure = measure_drop(measure=measure, reason="资金未落实", by=world.staff_a)
    assert measure.drop_reason == "资金未落实"
    assert measure.events.last().data == {"reason": "资金未落实"}


def test_reassign_and_new_due_date_are_recorded(world, measure):
    measure = measure_reassign(measure=measure, owner=world.staff_a, by=world.staff_a)
    assert measure.owner == world.staff_a
    assert measure.events.last().data == {
        "owner": world.staff_a.pk,
        "previous_owner": world.secretary_a1.pk,
    }
    measure = measure_set_due(measure=measure, due_on=in_days(45), by=world.staff_a)
    assert measure.due_on == in_days(45)
    assert measure.events.last().data == {
        "due_on": in_days(45).isoformat(),
        "previous_due_on": in_days(30).isoformat(),
    }
    with pytest.raises(MoveRefused, match="past"):
        measure_set_due(measure=measure, due_on=in_days(-1), by=world.staff_a)
    with pytest.raises(MoveRefused, match="owner"):
        measure_reassign(measure=measure, owner=world.staff_b, by=world.staff_a)


def test_the_town_committee_reads_but_moves_nothing(world, measure):
    with pytest.raises(MoveRefused) as refused:
        measure_start(measure=measure, by=world.town_user)
    assert refused.value.kind == Refusal.NOT_ALLOWED
    assert RectificationMeasure.objects.get(pk=measure.pk).status == "open"


def test_another_communitys_staff_cannot_move_a_measure(world, measure):
    for move in (
        lambda: measure_start(measure=measure, by=world.staff_b),
        lambda: measure_drop(measure=measure, reason="x", by=world.staff_b),
        lambda: measure_set_due(measure=measure, due_on=in_days(60), by=world.staff_b),
    ):
        with pytest.raises(MoveRefused) as refused:
            move()
        assert refused.value.kind == Refusal.NOT_FOUND
    assert measure.events.count() == 1


def test_of_two_clerks_at_once_one_wins(world, measure):
    stale = RectificationMeasure.objects.get(pk=measure.pk)  # the second clerk's page
    measure_done(measure=measure, by=world.staff_a)
    with pytest.raises(MoveRefused) as refused:
        measure_drop(measure=stale, reason="不做了", by=world.secretary_a1)
    assert refused.value.kind == Refusal.CONFLICT
    measure.refresh_from_db()
    assert measure.status == "done" and measure.drop_reason == ""
    assert [e.to_status for e in measure.events.all()] == ["open", "done"]


def test_two_clerks_changing_the_due_date_from_the_same_page(world, measure):
    stale = RectificationMeasure.objects.get(pk=measure.pk)
    measure_set_due(measure=measure, due_on=in_days(40), by=world.staff_a)
    with pytest.raises(MoveRefused, match="meanwhile"):
        measure_set_due(measure=stale, due_on=in_days(50), by=world.secretary_a1)
    measure.refresh_from_db()
    assert measure.due_on == in_days(40)


def test_measures_are_added_and_rewritten_only_while_a_draft(world, report, measure):
    measure_set_text(measure=measure, text="加装楼道声控灯", by=world.secretary_a1)
    measure.refresh_from_db()
    assert measure.text == "加装楼道声控灯"
    assert measure.events.last().data["previous_text"] == "加装楼道感应灯"
    branch_report_publish(report=report, by=world.secretary_a1)
    with pytest.raises(MoveRefused, match="published"):
        measure_add(
            report=report, text="新措施", owner=world.staff_a, due_on=in_days(9), by=world.staff_a
        )
    with pytest.raises(MoveRefused, match="published"):
        measure_set_text(measure=measure, text="改写", by=world.staff_a)
    with pytest.raises(MoveRefused, match="published"):
        measure_delete(measure=measure, by=world.staff_a)
    # the measures are what the branch then does: they still move
    assert measure_done(measure=measure, by=world.secretary_a1).status == "done"


def test_a_secretary_adds_measures_only_in_its_estate(world, measure):
    from governance.models import BranchReport

    other = BranchReport.objects.get(estate=world.a_estate2, year=measure.report.year)
    with pytest.raises(MoveRefused) as refused:
        measure_add(
            report=other, text="x", owner=world.staff_a, due_on=in_days(9), by=world.secretary_a1
        )
    assert refused.value.kind == Refusal.NOT_FOUND
