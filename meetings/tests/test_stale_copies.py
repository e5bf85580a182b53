"""Two clerks with the same appeal open: each guarded UPDATE lets only the first change
stand. The second clerk's copy is stale; their move is refused as a conflict, and nothing of
it is written (no event, no return visit, no vote, no message). On SQLite as on PostgreSQL."""

import pytest
from django.test import override_settings
from django.utils import timezone

from meetings.models import Appeal, AppealEvent, HearingVote, Notification, ReturnVisit, Status
from meetings.moves import Refusal
from meetings.services import (
    MoveRefused,
    appeal_extend_due,
    appeal_reassign,
    appeal_record_return_visit,
    meeting_close,
)
from meetings.tests.test_appeal_moves import ALLOWED_FROM, perform

# A status each move may be made from, where appeal_in can bring an appeal.
FROM = {name: sorted(sources)[0] for name, sources in ALLOWED_FROM.items()}


def written(appeal):
    return (
        AppealEvent.objects.filter(appeal=appeal).count(),
        ReturnVisit.objects.filter(appeal=appeal).count(),
        HearingVote.objects.filter(appeal=appeal).count(),
        Notification.objects.filter(appeal=appeal).count(),
    )


@pytest.mark.parametrize("name", sorted(ALLOWED_FROM))
def test_the_second_copy_of_every_move_is_refused(
    world, appeal_in, meeting, department, new_appeal, name
):
    original = new_appeal(title="更早的同一问题")
    appeal = appeal_in(FROM[name])
    mine, theirs = Appeal.objects.get(pk=appeal.pk), Appeal.objects.get(pk=appeal.pk)
    kwargs = {"world": world, "meeting": meeting, "department": department, "original": original}
    with override_settings(APPEAL_UNREACHABLE_ATTEMPTS=1):
        perform(name, mine, **kwargs)
        after_first = written(appeal)
        with pytest.raises(MoveRefused) as refused:
            perform(name, theirs, **kwargs)
    assert refused.value.kind == Refusal.CONFLICT
    assert written(appeal) == after_first
    assert Appeal.objects.get(pk=appeal.pk).status == (mine.status)


def test_a_handler_is_not_reassigned_on_a_copy_that_was_closed_meanwhile(world, appeal_in):
    appeal = appeal_in(Status.RESOLVED)
    stale = Appeal.objects.get(pk=appeal.pk)
    perform("visit_solved", appeal, world=world, meeting=None, department=None, original=None)
    with pytest.raises(MoveRefused) as refused:
        appeal_reassign(appeal=stale, by=world.staff_a, handler=world.secretary_a1)
    assert refused.value.kind == Refusal.CONFLICT
    assert Appeal.objects.get(pk=appeal.pk).handler != world.secretary_a1
    assert not AppealEvent.objects.filter(appeal=appeal, kind="handler_changed").exists()


def test_a_due_date_is_not_extended_on_a_copy_that_moved_meanwhile(world, appeal_in):
    appeal = appeal_in(Status.IN_PROGRESS)
    stale = Appeal.objects.get(pk=appeal.pk)
    perform("report_fix", appeal, world=world, meeting=None, department=None, original=None)
    until = timezone.now() + timezone.timedelta(days=40)
    with pytest.raises(MoveRefused) as refused:
        appeal_extend_due(appeal=stale, by=world.staff_a, until=until, reason="等待材料")
    assert refused.value.kind == Refusal.CONFLICT
    fresh = Appeal.objects.get(pk=appeal.pk)
    assert fresh.handling_due_at != until and fresh.status == Status.RESOLVED
    assert not AppealEvent.objects.filter(appeal=appeal, kind="due_extended").exists()


def test_a_meeting_is_closed_once(world, meeting):
    m = meeting("party_masses", minutes="议定事项", head_count=12)
    stale = type(m).objects.get(pk=m.pk)
    meeting_close(meeting=m, by=world.staff_a)
    closed_at = type(m).objects.get(pk=m.pk).closed_at
    with pytest.raises(MoveRefused) as refused:
        meeting_close(meeting=stale, by=world.staff_a)
    assert refused.value.kind == Refusal.CONFLICT
    assert type(m).objects.get(pk=m.pk).closed_at == closed_at


def test_no_unreached_attempt_is_recorded_on_a_copy_visited_meanwhile(world, appeal_in):
    appeal = appeal_in(Status.RESOLVED)
    stale = Appeal.objects.get(pk=appeal.pk)
    perform("visit_solved", appeal, world=world, meeting=None, department=None, original=None)
    visits = ReturnVisit.objects.filter(appeal=appeal).count()
    with pytest.raises(MoveRefused) as refused:
        appeal_record_return_visit(appeal=stale, by=world.staff_a, channel="phone", reached=False)
    assert refused.value.kind == Refusal.CONFLICT
    assert ReturnVisit.objects.filter(appeal=appeal).count() == visits
    assert not AppealEvent.objects.filter(appeal=appeal, kind="return_visit").exists()
