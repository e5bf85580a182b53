"""The one table that ties each action on an appeal (a move or a change in meetings.moves)
to its form and its service call. The appeal page offers the actions that
`appeal_moves_open` says are open; a meeting's page offers the meeting-bound ones open at
that meeting. A new move is a row in meetings.moves.MOVES, a form, and a row here."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

from .. import services
from ..forms.staff import (
    ActionForm,
    AgendaForm,
    DepartmentForm,
    DuplicateForm,
    ExtendForm,
    HearingVoteForm,
    NoteForm,
    ReasonForm,
    ReassignForm,
    ReportFixForm,
    StaffReturnVisitForm,
)
from ..moves import MEETING_TYPES, RULES
from ..queries import appeal_by_code


@dataclass(frozen=True)
class Action:
    form: type[ActionForm]
    # run(appeal=, by=, meeting=, data=form.cleaned_data): the service call
    run: Callable[..., object]

    def label(self, name: str) -> str:
        return str(RULES[name].label)


def _service(function, **fixed):
    """Call a service with the form's cleaned data as its keyword arguments (the forms are
    named for them), and the meeting when the outcome is recorded at one."""

    def run(*, appeal, by, meeting, data):
        extra = {"meeting": meeting} if meeting is not None else {}
        return function(appeal=appeal, by=by, **fixed, **extra, **data)

    return run


def _end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def _extend(*, appeal, by, meeting, data):
    return services.appeal_extend_due(
        appeal=appeal, by=by, until=_end_of_day(data["until"]), reason=data["reason"]
    )


def _duplicate(*, appeal, by, meeting, data):
    return services.appeal_close_duplicate(
        appeal=appeal, by=by, original=appeal_by_code(data["original"])
    )


def _agenda(*, appeal, by, meeting, data):
    return services.meeting_add_to_agenda(meeting=data["meeting"], appeal=appeal, by=by)


# In the order a page offers them: the step the appeal waits for first.
ACTIONS: dict[str, Action] = {
    "acknowledge": Action(NoteForm, _service(services.appeal_acknowledge)),
    "report_fix": Action(ReportFixForm, _service(services.appeal_report_fix)),
    "return_visit": Action(StaffReturnVisitForm, _service(services.appeal_record_return_visit)),
    "department_accept": Action(NoteForm, _service(services.appeal_department_accept)),
    "department_send_back": Action(ReasonForm, _service(services.appeal_department_send_back)),
    "route_handle": Action(NoteForm, _service(services.appeal_route, to="handle")),
    "route_coordinate": Action(NoteForm, _service(services.appeal_route, to="coordinate")),
    "route_major": Action(NoteForm, _service(services.appeal_route, to="major")),
    "route_refer": Action(DepartmentForm, _service(services.appeal_route, to="refer")),
    "coordination_agreed": Action(
        NoteForm, _service(services.appeal_coordination_outcome, outcome="agreed")
    ),
    "coordination_major": Action(
        NoteForm, _service(services.appeal_coordination_outcome, outcome="major")
    ),
    "coordination_refer": Action(
        DepartmentForm, _service(services.appeal_coordination_outcome, outcome="refer")
    ),
    "hearing_vote": Action(HearingVoteForm, _service(services.appeal_record_hearing_vote)),
    "refer": Action(DepartmentForm, _service(services.appeal_refer)),
    "decline": Action(ReasonForm, _service(services.appeal_decline)),
    "agenda": Action(AgendaForm, _agenda),
    "reassign": Action(ReassignForm, _service(services.appeal_reassign)),
    "extend_due": Action(ExtendForm, _extend),
    "close_duplicate": Action(DuplicateForm, _duplicate),
}


def meeting_bound(name: str) -> bool:
    """Recorded as a meeting's outcome (or by a secretary for a simple matter)."""
    return RULES[name].needs in MEETING_TYPES
