"""Read paths for appeals: what the public tracking page and the staff pages show."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .models import Appeal, AppealEvent, EventKind, Status
from .tracking import normalize_code

# What a resident reads for each status.
PUBLIC_STATUS = {
    Status.RECEIVED: _("Received: the branch will discuss it"),
    Status.COORDINATING: _("Being settled at a coordination meeting"),
    Status.HEARING: _("To be decided at a public hearing"),
    Status.REFERRED: _("Passed to the responsible department"),
    Status.IN_PROGRESS: _("Being handled"),
    Status.RESOLVED: _("Fixed: please tell us whether it is solved"),
    Status.REOPENED: _("Reopened: being looked at again"),
}
CLOSED_REASON = {
    "solved": _("Closed: solved"),
    "declined": _("Closed: declined"),
    "duplicate": _("Closed: handled together with another appeal"),
    "withdrawn": _("Closed: withdrawn by you"),
    "unreachable": _("Closed: we could not reach you after it was fixed"),
}
NEXT_STEP = {
    Status.RECEIVED: _("to be discussed and routed"),
    Status.REOPENED: _("to be discussed and routed"),
    Status.COORDINATING: _("to be handled"),
    Status.HEARING: _("to be handled"),
    Status.REFERRED: _("to be handled"),
    Status.IN_PROGRESS: _("to be handled"),
    Status.RESOLVED: _("return visit"),
}


def public_status(appeal: Appeal) -> str:
    if appeal.status == Status.CLOSED:
        return str(CLOSED_REASON.get(appeal.closure_reason, _("Closed")))
    return str(PUBLIC_STATUS[appeal.status])


def appeal_by_code(text: str) -> Appeal | None:
    code = normalize_code(text)
    if code is None:
        return None
    return Appeal.objects.select_related("estate", "building", "category").filter(code=code).first()


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    stage: str
    note: str
    meeting: str
    vote: dict | None


def _stage(event: AppealEvent) -> str:
    if event.to_status == Status.CLOSED and event.move in MOVE_STAGE:
        return str(CLOSED_REASON[MOVE_STAGE[event.move]])
    if event.kind == EventKind.SUBMITTED:
        return str(_("Appeal received"))
    if event.kind == EventKind.ACKNOWLEDGED:
        return str(_("Acknowledged by the community"))
    if event.kind == EventKind.AGENDA:
        return str(_("Put on a meeting's agenda"))
    if event.kind == EventKind.HEARING_VOTE:
        return str(_("Hearing: no quorum, to be heard again"))
    if event.kind == EventKind.RETURN_VISIT:
        return str(_("Return visit: we could not reach you"))
    if event.kind == EventKind.DUE_EXTENDED:
        return str(_("Due date extended"))
    return str(PUBLIC_STATUS.get(event.to_status, event.get_to_status_display()))


MOVE_STAGE = {
    "decline": "declined",
    "hearing_rejected": "declined",
    "close_duplicate": "duplicate",
    "withdraw": "withdrawn",
    "visit_solved": "solved",
    "unreachable": "unreachable",
}


def public_timeline(appeal: Appeal) -> list[TimelineEntry]:
    """The events a resident may read: dates, stages, the notes staff wrote for residents,
    the meetings and hearing results. Never internal notes, names of staff or contacts."""
    events = (
        AppealEvent.objects.filter(appeal=appeal)
        .exclude(kind=EventKind.HANDLER_CHANGED)
        .select_related("meeting")
        .order_by("created_at", "pk")
    )
    entries = []
    for event in events:
        stage = _stage(event)
        vote = None
        if "for" in event.data and "present" in event.data:
            vote = {k: event.data[k] for k in ("eligible", "present", "for", "against", "abstain")}
            vote["passed"] = event.data.get("passed", False)
            vote["quorum"] = event.data.get("quorum", False)
        entries.append(
            TimelineEntry(
                at=event.created_at,
                stage=stage,
                note=event.public_note,
                meeting=event.meeting.get_type_display() if event.meeting_id else "",
                vote=vote,
            )
        )
    return entries
