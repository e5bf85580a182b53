"""Every change to an appeal, as one function per move (DESIGN.md's table of moves).

Views, the admin, meeting outcomes, tasks and tests all call these. Each move checks who may
make it, guards the current status with a conditional UPDATE (so of two clerks moving the same
appeal at once exactly one wins) and writes its timeline event in the same transaction.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Building, Estate, StaffRole
from branches.scope import (
    CHANGE,
    estates_for,
    in_scope,
    is_secretary,
    may,
    staff_scope,
    staff_users_for,
)

from .models import (
    OPEN_STATUSES,
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealPhoto,
    Channel,
    ClosureReason,
    Department,
    EventKind,
    HearingVote,
    Meeting,
    MeetingType,
    ReturnVisit,
    Satisfaction,
    Source,
    Status,
)
from .notifications import notify_department, notify_resident, reminder_columns
from .photos import CleanPhoto
from .scope import appeals_for, meetings_for
from .tracking import new_code


class MoveRefused(Exception):
    """A move that is not allowed now; the message says why, for the person who tried."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# Who may make a move.
STAFF = "staff"  # staff in scope who may change appeals
HANDLER = "handler"  # the appeal's handler (or community staff on their behalf)
RESIDENT = "resident"  # the resident, on the tracking page
STAFF_OR_RESIDENT = "staff_or_resident"
PARTY_MASSES = "party_masses"  # an outcome of a party–masses meeting
PARTY_MASSES_OR_SECRETARY = "party_masses_or_secretary"
MEETING_OR_SECRETARY = "meeting_or_secretary"  # party–masses or coordination meeting
COORDINATION = "coordination"
HEARING = "hearing"

ROUTABLE = frozenset({Status.RECEIVED, Status.REOPENED})
OPEN = frozenset(OPEN_STATUSES)


@dataclass(frozen=True)
class Move:
    sources: frozenset
    target: str | None  # None: the status does not change
    needs: str
    label: str
    closure: str = ""


MOVES: dict[str, Move] = {
    "acknowledge": Move(OPEN, None, STAFF, gettext_lazy("Acknowledge")),
    "route_handle": Move(
        ROUTABLE, Status.IN_PROGRESS, PARTY_MASSES_OR_SECRETARY, gettext_lazy("Handle directly")
    ),
    "route_coordinate": Move(
        ROUTABLE, Status.COORDINATING, PARTY_MASSES, gettext_lazy("Send to a coordination meeting")
    ),
    "route_major": Move(
        ROUTABLE, Status.HEARING, PARTY_MASSES, gettext_lazy("Major issue: hold a hearing")
    ),
    "route_refer": Move(
        ROUTABLE, Status.REFERRED, PARTY_MASSES_OR_SECRETARY, gettext_lazy("Refer to a department")
    ),
    "decline": Move(
        ROUTABLE | {Status.COORDINATING},
        Status.CLOSED,
        MEETING_OR_SECRETARY,
        gettext_lazy("Decline"),
        ClosureReason.DECLINED,
    ),
    "close_duplicate": Move(
        OPEN, Status.CLOSED, STAFF, gettext_lazy("Close as a duplicate"), ClosureReason.DUPLICATE
    ),
    "withdraw": Move(
        OPEN, Status.CLOSED, RESIDENT, gettext_lazy("Withdraw"), ClosureReason.WITHDRAWN
    ),
    "coordination_agreed": Move(
        frozenset({Status.COORDINATING}),
        Status.IN_PROGRESS,
        COORDINATION,
        gettext_lazy("Agreement reached"),
    ),
    "coordination_major": Move(
        frozenset({Status.COORDINATING}),
        Status.HEARING,
        COORDINATION,
        gettext_lazy("No agreement: hold a hearing"),
    ),
    "coordination_refer": Move(
        frozenset({Status.COORDINATING}),
        Status.REFERRED,
        COORDINATION,
        gettext_lazy("No agreement: refer to a department"),
    ),
    "hearing_passed": Move(
        frozenset({Status.HEARING}), Status.IN_PROGRESS, HEARING, gettext_lazy("Vote passed")
    ),
    "hearing_rejected": Move(
        frozenset({Status.HEARING}),
        Status.CLOSED,
        HEARING,
        gettext_lazy("Vote rejected"),
        ClosureReason.DECLINED,
    ),
    "department_accept": Move(
        frozenset({Status.REFERRED}), Status.IN_PROGRESS, STAFF, gettext_lazy("Department accepts")
    ),
    "department_send_back": Move(
        frozenset({Status.REFERRED}), Status.REOPENED, STAFF, gettext_lazy("Department sends back")
    ),
    "refer": Move(
        frozenset({Status.IN_PROGRESS}),
        Status.REFERRED,
        STAFF,
        gettext_lazy("Refer to a department"),
    ),
    "report_fix": Move(
        frozenset({Status.IN_PROGRESS}), Status.RESOLVED, HANDLER, gettext_lazy("Report the fix")
    ),
    "visit_solved": Move(
        frozenset({Status.RESOLVED}),
        Status.CLOSED,
        STAFF_OR_RESIDENT,
        gettext_lazy("Return visit: solved"),
        ClosureReason.SOLVED,
    ),
    "visit_not_solved": Move(
        frozenset({Status.RESOLVED}),
        Status.REOPENED,
        STAFF_OR_RESIDENT,
        gettext_lazy("Return visit: not solved"),
    ),
    "unreachable": Move(
        frozenset({Status.RESOLVED}),
        Status.CLOSED,
        STAFF,
        gettext_lazy("Not reached"),
        ClosureReason.UNREACHABLE,
    ),
}

# The meeting type at which each meeting-bound kind of move is recorded.
MEETING_TYPES = {
    PARTY_MASSES: {MeetingType.PARTY_MASSES},
    PARTY_MASSES_OR_SECRETARY: {MeetingType.PARTY_MASSES},
    MEETING_OR_SECRETARY: {MeetingType.PARTY_MASSES, MeetingType.COORDINATION},
    COORDINATION: {MeetingType.COORDINATION},
    HEARING: {MeetingType.HEARING},
}


def _days(name: str) -> timedelta:
    return timedelta(days=getattr(settings, name))


def next_due(
    *,
    status,
    acknowledged_at,
    response_due_at,
    routing_due_at,
    handling_due_at,
    return_visit_due_at,
) -> datetime | None:
    """The deadline that matters now, from the state of an appeal."""
    if status == Status.CLOSED:
        return None
    due = []
    if acknowledged_at is None:
        due.append(response_due_at)
    if status in ROUTABLE:
        due.append(routing_due_at)
    elif status == Status.RESOLVED:
        due.append(return_visit_due_at)
    else:
        due.append(handling_due_at)
    due = [d for d in due if d is not None]
    return min(due) if due else None


def _with_next_due(appeal: Appeal, fields: dict) -> dict:
    state = {
        name: fields.get(name, getattr(appeal, name))
        for name in (
            "status",
            "acknowledged_at",
            "response_due_at",
            "routing_due_at",
            "handling_due_at",
            "return_visit_due_at",
        )
    }
    return {**fields, "next_due_at": next_due(**state)}


def _clocks_on_entering(appeal: Appeal, target: str, move: Move, now: datetime, fields: dict):
    """The dates a move into `target` sets: closing, resolving (and the return visit's due
    date), reopening (routing again), or the handling clock of a routed or referred appeal."""
    if target == Status.CLOSED:
        return {"closure_reason": move.closure, "closed_at": now}
    if target == Status.RESOLVED:
        return {"resolved_at": now, "return_visit_due_at": now + _days("APPEAL_RETURN_VISIT_DAYS")}
    if target == Status.REOPENED:
        return {
            "resolved_at": None,
            "return_visit_due_at": None,
            "handling_due_at": None,
            "routing_due_at": now + _days("APPEAL_ROUTING_DAYS"),
        }
    restarts = appeal.status in ROUTABLE or target == Status.REFERRED or not appeal.handling_due_at
    if restarts and "handling_due_at" not in fields:
        return {"handling_due_at": now + _days("APPEAL_HANDLING_DAYS")}
    return {}


def _check_who(move_name: str, move: Move, appeal: Appeal, *, by, meeting, by_resident) -> bool:
    """Raise MoveRefused unless `by` (or the resident, or the meeting) may make this move.
    Returns whether a secretary made it directly, without a meeting."""
    needs = move.needs
    if by_resident:
        if needs not in (RESIDENT, STAFF_OR_RESIDENT):
            raise MoveRefused(_("Only staff can do this."))
        return False
    if needs == RESIDENT:
        raise MoveRefused(_("Only the resident can withdraw an appeal, on its tracking page."))
    if by is None or not may(by, CHANGE, Appeal) or not in_scope(appeals_for, by, appeal):
        raise MoveRefused(_("You cannot change this appeal."))
    if needs in MEETING_TYPES:
        if meeting is not None:
            if meeting.type not in MEETING_TYPES[needs]:
                raise MoveRefused(
                    _("This is decided at a %(types)s, not at a %(type)s.")
                    % {
                        "types": _(" or ").join(
                            str(MeetingType(t).label) for t in sorted(MEETING_TYPES[needs])
                        ),
                        "type": meeting.get_type_display(),
                    }
                )
            if meeting.is_closed:
                raise MoveRefused(_("This meeting is closed; its outcomes can no longer change."))
            if not meeting.agenda.filter(pk=appeal.pk).exists():
                raise MoveRefused(_("This appeal is not on the meeting's agenda."))
            if not in_scope(meetings_for, by, meeting):
                raise MoveRefused(_("You cannot record outcomes of this meeting."))
            return False
        if needs in (PARTY_MASSES_OR_SECRETARY, MEETING_OR_SECRETARY) and is_secretary(by):
            return True
        raise MoveRefused(
            _("This is decided at a meeting: record it as the meeting's outcome.")
            if needs not in (PARTY_MASSES_OR_SECRETARY, MEETING_OR_SECRETARY)
            else _("This is decided at a meeting, or by the branch secretary for a simple matter.")
        )
    if needs == HANDLER:
        scope = staff_scope(by)
        community_staff = scope is not None and scope.role == StaffRole.COMMUNITY_STAFF
        if by != appeal.handler and not (by.is_superuser or community_staff):
            raise MoveRefused(_("Only the appeal's handler or community staff can report the fix."))
    return False


def _apply(
    move_name: str,
    appeal: Appeal,
    *,
    by=None,
    by_resident: bool = False,
    meeting: Meeting | None = None,
    public_note: str = "",
    internal_note: str = "",
    changes: dict | None = None,
    data: dict | None = None,
    now: datetime | None = None,
) -> Appeal:
    move = MOVES[move_name]
    if move_name == "acknowledge" and appeal.acknowledged_at is not None:
        raise MoveRefused(_("This appeal is already acknowledged."))
    if appeal.status not in move.sources:
        raise MoveRefused(
            _("“%(move)s” is not possible while the appeal is %(status)s.")
            % {"move": move.label, "status": appeal.get_status_display()}
        )
    direct = _check_who(move_name, move, appeal, by=by, meeting=meeting, by_resident=by_resident)
    now = now or timezone.now()
    target = move.target or appeal.status
    fields = {"status": target, **(changes or {})}
    if move.target is not None:  # a move that keeps the status (acknowledge) starts no clock
        fields.update(_clocks_on_entering(appeal, target, move, now, fields))
    fields = _with_next_due(appeal, fields)
    if move.target == Status.RESOLVED:
        fields.update(reminder_columns(fields["return_visit_due_at"]))
    elif appeal.status == Status.RESOLVED and target != Status.RESOLVED:
        fields.update(reminder_columns(None))

    guard = {"acknowledged_at__isnull": True} if move_name == "acknowledge" else {}
    previous_status = appeal.status
    with transaction.atomic():
        won = Appeal.objects.filter(pk=appeal.pk, status=appeal.status, **guard).update(**fields)
        if not won:
            raise MoveRefused(
                _("Someone else changed this appeal a moment ago. Reload it to see what happened.")
            )
        AppealEvent.objects.create(
            appeal=appeal,
            created_at=now,
            actor=None if by_resident else by,
            by_resident=by_resident,
            kind=EventKind.ACKNOWLEDGED if move_name == "acknowledge" else EventKind.MOVED,
            move=move_name,
            from_status=appeal.status,
            to_status=target,
            meeting=meeting,
            direct_by_secretary=direct,
            public_note=public_note,
            internal_note=internal_note,
            data=data or {},
        )
        for name, value in fields.items():
            setattr(appeal, name, value)
        _notify(appeal, move_name, previous_status, now)
    return appeal


def _notify(appeal: Appeal, move_name: str, previous_status: str, now: datetime) -> None:
    """Who hears of a move: recorded in the move's transaction, sent after it commits."""
    stamp = str(int(now.timestamp()))
    if move_name == "acknowledge":
        notify_resident(appeal, "acknowledged", stamp=stamp)
    elif appeal.status == Status.RESOLVED and previous_status != Status.RESOLVED:
        notify_resident(appeal, "resolved", stamp=stamp)
    elif appeal.status == Status.CLOSED and move_name != "withdraw":
        notify_resident(appeal, "closed", stamp=stamp)
    if appeal.status == Status.REFERRED and previous_status != Status.REFERRED:
        notify_department(appeal, stamp=stamp)


# --- Submitting -------------------------------------------------------------------------


def _repeat_of(*, estate, category, phone, now) -> Appeal | None:
    if not phone:
        return None
    since = now - _days("APPEAL_REPEAT_WINDOW_DAYS")
    return (
        Appeal.objects.filter(
            estate=estate, category=category, contact_phone=phone, created_at__gte=since
        )
        .order_by("-created_at")
        .first()
    )


def appeal_submit(
    *,
    estate: Estate,
    category: AppealCategory,
    title: str,
    description: str,
    source: str = Source.WEB_FORM,
    building: Building | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    consent: bool = False,
    photos: Iterable[CleanPhoto] = (),
    by=None,
    meeting: Meeting | None = None,
    now: datetime | None = None,
    language: str = "",
) -> Appeal:
    """Register a new appeal, from a resident (by=None) or entered by staff, with its first
    event, in one transaction. The code is unique: a collision draws another."""
    if building is not None and building.estate_id != estate.pk:
        raise MoveRefused(_("This building is not in the chosen estate."))
    if by is not None and not (may(by, CHANGE, Appeal) and in_scope(estates_for, by, estate)):
        raise MoveRefused(_("You cannot enter appeals for this estate."))
    now = now or timezone.now()
    appeal = Appeal(
        estate=estate,
        building=building,
        category=category,
        title=title,
        description=description,
        source=source,
        contact_name=contact_name,
        contact_phone=contact_phone,
        consent_at=now if consent else None,
        created_at=now,
        response_due_at=now + _days("APPEAL_RESPONSE_DAYS"),
        routing_due_at=now + _days("APPEAL_ROUTING_DAYS"),
        repeat_of=_repeat_of(estate=estate, category=category, phone=contact_phone, now=now),
        language=language or settings.LANGUAGE_CODE,
    )
    appeal.next_due_at = next_due(
        status=Status.RECEIVED,
        acknowledged_at=None,
        response_due_at=appeal.response_due_at,
        routing_due_at=appeal.routing_due_at,
        handling_due_at=None,
        return_visit_due_at=None,
    )
    with transaction.atomic():
        for _attempt in range(10):
            appeal.code = new_code()
            try:
                with transaction.atomic():
                    appeal.save()
                break
            except IntegrityError:
                if not Appeal.objects.filter(code=appeal.code).exists():
                    raise
        else:  # pragma: no cover - 23^8 codes make this practically impossible
            raise RuntimeError("no free tracking code after 10 draws")
        for photo in photos:
            AppealPhoto.objects.create(
                appeal=appeal,
                image=ContentFile(photo.data, name=f"{appeal.code}.{photo.extension}"),
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
            )
        AppealEvent.objects.create(
            appeal=appeal,
            created_at=now,
            actor=by,
            by_resident=by is None,
            kind=EventKind.SUBMITTED,
            to_status=Status.RECEIVED,
            meeting=meeting,
            data={"source": source},
        )
        if meeting is not None:
            meeting.agenda.add(appeal)
    return appeal


# --- Moves ------------------------------------------------------------------------------


def appeal_acknowledge(*, appeal: Appeal, by, public_note: str = "") -> Appeal:
    now = timezone.now()
    return _apply(
        "acknowledge",
        appeal,
        by=by,
        public_note=public_note,
        changes={"acknowledged_at": now},
        now=now,
    )


def _handler_changes(appeal, by, handler):
    handler = handler or appeal.handler or by
    return {"handler": handler}


def appeal_route(
    *,
    appeal: Appeal,
    to: str,
    by,
    meeting: Meeting | None = None,
    department: Department | None = None,
    handler=None,
    public_note: str = "",
    internal_note: str = "",
) -> Appeal:
    """Route a received or reopened appeal: to = handle, coordinate, major or refer."""
    move_name = {
        "handle": "route_handle",
        "coordinate": "route_coordinate",
        "major": "route_major",
        "refer": "route_refer",
    }.get(to)
    if move_name is None:
        raise MoveRefused(_("Unknown route."))
    changes = _handler_changes(appeal, by, handler)
    if to == "refer":
        if department is None:
            raise MoveRefused(_("Choose the department to refer it to."))
        changes["department"] = department
    return _apply(
        move_name,
        appeal,
        by=by,
        meeting=meeting,
        public_note=public_note,
        internal_note=internal_note,
        changes=changes,
    )


def appeal_decline(
    *, appeal: Appeal, by, reason: str, meeting: Meeting | None = None, internal_note: str = ""
) -> Appeal:
    if not reason.strip():
        raise MoveRefused(_("Say why it is declined: the resident will read it."))
    return _apply(
        "decline", appeal, by=by, meeting=meeting, public_note=reason, internal_note=internal_note
    )


def appeal_close_duplicate(
    *, appeal: Appeal, original: Appeal, by, internal_note: str = ""
) -> Appeal:
    if original.pk == appeal.pk:
        raise MoveRefused(_("An appeal cannot be a duplicate of itself."))
    if not original.is_open:
        raise MoveRefused(_("The original appeal is closed: handle this one on its own instead."))
    if not in_scope(appeals_for, by, original):
        raise MoveRefused(_("No appeal with that code in your area."))
    return _apply(
        "close_duplicate",
        appeal,
        by=by,
        # Never the original's code: it is another resident's key to their appeal.
        public_note=_("Handled together with an earlier appeal about the same problem."),
        internal_note=internal_note,
        changes={"duplicate_of": original},
    )


def appeal_withdraw(*, appeal: Appeal, note: str = "") -> Appeal:
    return _apply("withdraw", appeal, by_resident=True, public_note=note)


def appeal_coordination_outcome(
    *,
    appeal: Appeal,
    meeting: Meeting,
    outcome: str,
    by,
    department: Department | None = None,
    public_note: str = "",
    internal_note: str = "",
) -> Appeal:
    """outcome = agreed, major (no agreement: hearing) or refer (no agreement: department)."""
    move_name = {
        "agreed": "coordination_agreed",
        "major": "coordination_major",
        "refer": "coordination_refer",
    }.get(outcome)
    if move_name is None:
        raise MoveRefused(_("Unknown outcome."))
    changes = {}
    if outcome == "refer":
        if department is None:
            raise MoveRefused(_("Choose the department to refer it to."))
        changes["department"] = department
    return _apply(
        move_name,
        appeal,
        by=by,
        meeting=meeting,
        public_note=public_note,
        internal_note=internal_note,
        changes=changes,
    )


def hearing_result(*, eligible: int, present: int, votes_for: int) -> tuple[bool, bool]:
    """(quorum, passed) under the rule in settings."""
    quorum = present > 0 and present >= Fraction(settings.HEARING_QUORUM) * eligible
    passed = quorum and votes_for > Fraction(settings.HEARING_MAJORITY) * present
    return quorum, passed


def appeal_record_hearing_vote(
    *,
    appeal: Appeal,
    meeting: Meeting,
    by,
    eligible: int,
    present: int,
    votes_for: int,
    votes_against: int,
    abstain: int,
    public_note: str = "",
) -> HearingVote:
    """Record a hearing's vote on an appeal and apply the rule: passed → in progress;
    rejected with quorum → declined; no quorum → still in hearing, to be heard again."""
    if min(eligible, present, votes_for, votes_against, abstain) < 0:
        raise MoveRefused(_("Counts cannot be negative."))
    if present > eligible:
        raise MoveRefused(_("More present than eligible."))
    if votes_for + votes_against + abstain > present:
        raise MoveRefused(_("More votes than people present."))
    quorum, passed = hearing_result(eligible=eligible, present=present, votes_for=votes_for)
    counts = {
        "eligible": eligible,
        "present": present,
        "for": votes_for,
        "against": votes_against,
        "abstain": abstain,
        "quorum": quorum,
        "passed": passed,
    }
    with transaction.atomic():
        if quorum:
            _apply(
                "hearing_passed" if passed else "hearing_rejected",
                appeal,
                by=by,
                meeting=meeting,
                public_note=public_note,
                data=counts,
            )
        else:
            # No move, but the same checks: the hearing may record this appeal now.
            move = MOVES["hearing_passed"]
            if appeal.status not in move.sources:
                raise MoveRefused(
                    _("“%(move)s” is not possible while the appeal is %(status)s.")
                    % {"move": _("Hearing vote"), "status": appeal.get_status_display()}
                )
            _check_who("hearing_passed", move, appeal, by=by, meeting=meeting, by_resident=False)
            AppealEvent.objects.create(
                appeal=appeal,
                actor=by,
                kind=EventKind.HEARING_VOTE,
                meeting=meeting,
                from_status=appeal.status,
                to_status=appeal.status,
                public_note=public_note,
                data=counts,
            )
        return HearingVote.objects.create(
            meeting=meeting,
            appeal=appeal,
            eligible=eligible,
            present=present,
            votes_for=votes_for,
            votes_against=votes_against,
            abstain=abstain,
            quorum=quorum,
            passed=passed,
        )


def appeal_department_accept(*, appeal: Appeal, by, public_note: str = "") -> Appeal:
    return _apply("department_accept", appeal, by=by, public_note=public_note)


def appeal_department_send_back(*, appeal: Appeal, by, reason: str) -> Appeal:
    if not reason.strip():
        raise MoveRefused(_("Say why the department sends it back."))
    return _apply("department_send_back", appeal, by=by, public_note=reason)


def appeal_refer(
    *, appeal: Appeal, by, department: Department, public_note: str = "", internal_note: str = ""
) -> Appeal:
    if department is None:
        raise MoveRefused(_("Choose the department to refer it to."))
    return _apply(
        "refer",
        appeal,
        by=by,
        public_note=public_note,
        internal_note=internal_note,
        changes={"department": department},
    )


def appeal_report_fix(*, appeal: Appeal, by, public_note: str, internal_note: str = "") -> Appeal:
    if not public_note.strip():
        raise MoveRefused(_("Say what was done: the resident will read it."))
    return _apply("report_fix", appeal, by=by, public_note=public_note, internal_note=internal_note)


def appeal_record_return_visit(
    *,
    appeal: Appeal,
    by=None,
    channel: str,
    reached: bool,
    solved: bool | None = None,
    satisfaction: str = "",
    note: str = "",
) -> ReturnVisit:
    """A return visit by staff, or the resident's own answer (by=None). Solved → closed;
    not solved → reopened; not reached N times (setting) → closed as unreachable."""
    by_resident = by is None
    if by_resident:
        channel, reached = Channel.RESIDENT_ONLINE, True
    if reached and (solved is None or satisfaction not in Satisfaction.values):
        raise MoveRefused(_("Say whether it is solved and how satisfied the resident is."))
    if not reached:
        solved, satisfaction = None, ""
    with transaction.atomic():
        if reached:
            _apply(
                "visit_solved" if solved else "visit_not_solved",
                appeal,
                by=by,
                by_resident=by_resident,
                public_note=note if by_resident else "",
                internal_note="" if by_resident else note,
                data={"satisfaction": satisfaction, "channel": channel},
            )
        else:
            if appeal.status != Status.RESOLVED:
                raise MoveRefused(
                    _("A return visit is made once the appeal is resolved; it is %(status)s.")
                    % {"status": appeal.get_status_display()}
                )
            _check_who(
                "unreachable", MOVES["unreachable"], appeal, by=by, meeting=None, by_resident=False
            )
            attempts = (
                1
                + appeal.return_visits.filter(
                    reached=False, created_at__gte=appeal.resolved_at
                ).count()
            )
            if attempts >= settings.APPEAL_UNREACHABLE_ATTEMPTS:
                _apply(
                    "unreachable", appeal, by=by, internal_note=note, data={"attempts": attempts}
                )
            else:
                AppealEvent.objects.create(
                    appeal=appeal,
                    actor=by,
                    kind=EventKind.RETURN_VISIT,
                    from_status=appeal.status,
                    to_status=appeal.status,
                    internal_note=note,
                    data={"reached": False, "attempts": attempts, "channel": channel},
                )
        return ReturnVisit.objects.create(
            appeal=appeal,
            by=by,
            channel=channel,
            reached=reached,
            solved=solved,
            satisfaction=satisfaction,
            note=note,
        )


# --- Changes that are not moves ---------------------------------------------------------


def _check_staff(appeal: Appeal, by) -> None:
    if not may(by, CHANGE, Appeal) or not in_scope(appeals_for, by, appeal):
        raise MoveRefused(_("You cannot change this appeal."))
    if not appeal.is_open:
        raise MoveRefused(_("This appeal is closed."))


def appeal_reassign(*, appeal: Appeal, by, handler, note: str = "") -> Appeal:
    _check_staff(appeal, by)
    if handler is not None and not staff_users_for(by).filter(pk=handler.pk).exists():
        raise MoveRefused(_("Choose a handler from your community."))
    with transaction.atomic():
        Appeal.objects.filter(pk=appeal.pk).update(handler=handler)
        AppealEvent.objects.create(
            appeal=appeal,
            actor=by,
            kind=EventKind.HANDLER_CHANGED,
            internal_note=note,
            data={
                "from": appeal.handler_id,
                "to": getattr(handler, "pk", None),
                "name": handler.get_full_name() or handler.get_username() if handler else "",
            },
        )
    appeal.handler = handler
    return appeal


DUE_FIELDS = {
    Status.RECEIVED: "routing_due_at",
    Status.REOPENED: "routing_due_at",
    Status.COORDINATING: "handling_due_at",
    Status.HEARING: "handling_due_at",
    Status.REFERRED: "handling_due_at",
    Status.IN_PROGRESS: "handling_due_at",
    Status.RESOLVED: "return_visit_due_at",
}


def appeal_extend_due(*, appeal: Appeal, by, until: datetime, reason: str) -> Appeal:
    """Move the current step's due date later, with a reason (kept on the timeline)."""
    _check_staff(appeal, by)
    if not reason.strip():
        raise MoveRefused(_("Give the reason for the extension."))
    field = DUE_FIELDS[appeal.status]
    current = getattr(appeal, field)
    if until <= timezone.now() or (current and until <= current):
        raise MoveRefused(
            _("The new due date must be later than the current one and in the future.")
        )
    if until > timezone.now() + timedelta(days=366):
        raise MoveRefused(_("Extend by a year at most."))
    fields = _with_next_due(appeal, {field: until})
    if field == "return_visit_due_at":
        fields.update(reminder_columns(until))
    with transaction.atomic():
        won = Appeal.objects.filter(pk=appeal.pk, status=appeal.status).update(**fields)
        if not won:
            raise MoveRefused(
                _("Someone else changed this appeal a moment ago. Reload it to see what happened.")
            )
        AppealEvent.objects.create(
            appeal=appeal,
            actor=by,
            kind=EventKind.DUE_EXTENDED,
            internal_note=reason,
            data={
                "field": field,
                "from": current.isoformat() if current else None,
                "to": until.isoformat(),
            },
        )
    for name, value in fields.items():
        setattr(appeal, name, value)
    return appeal


# --- Meetings ---------------------------------------------------------------------------


class MeetingRefused(MoveRefused):
    pass


def meeting_add_to_agenda(*, meeting: Meeting, appeal: Appeal, by) -> None:
    if not may(by, CHANGE, Meeting):
        raise MeetingRefused(_("You cannot change this meeting."))
    if meeting.is_closed:
        raise MeetingRefused(_("This meeting is closed."))
    if not appeal.is_open:
        raise MeetingRefused(_("Only open appeals go on an agenda."))
    if appeal.estate.community_id != meeting.community_id or (
        meeting.estate_id and appeal.estate_id != meeting.estate_id
    ):
        raise MeetingRefused(_("This appeal is from another estate or community."))
    if not in_scope(meetings_for, by, meeting) or not in_scope(appeals_for, by, appeal):
        raise MeetingRefused(_("You cannot change this meeting."))
    with transaction.atomic():
        if meeting.agenda.filter(pk=appeal.pk).exists():
            return
        meeting.agenda.add(appeal)
        AppealEvent.objects.create(
            appeal=appeal,
            actor=by,
            kind=EventKind.AGENDA,
            meeting=meeting,
            from_status=appeal.status,
            to_status=appeal.status,
        )


def meeting_close(*, meeting: Meeting, by) -> Meeting:
    if not may(by, CHANGE, Meeting) or not in_scope(meetings_for, by, meeting):
        raise MeetingRefused(_("You cannot change this meeting."))
    if not meeting.minutes.strip() or meeting.head_count is None:
        raise MeetingRefused(_("A meeting is closed only with minutes and a head count."))
    now = timezone.now()
    if not Meeting.objects.filter(pk=meeting.pk, closed_at__isnull=True).update(closed_at=now):
        raise MeetingRefused(_("This meeting is already closed."))
    meeting.closed_at = now
    return meeting


def forum_register_appeals(*, meeting: Meeting, rows: list[dict], by) -> list[Appeal]:
    """Register many appeals raised at a public sentiment forum at once, each on the forum's
    agenda; rows are the keyword arguments of appeal_submit (estate, category, title, …)."""
    if meeting.type != MeetingType.FORUM:
        raise MeetingRefused(_("Appeals are registered in bulk at a public sentiment forum."))
    if meeting.is_closed:
        raise MeetingRefused(_("This meeting is closed."))
    if not may(by, CHANGE, Meeting) or not in_scope(meetings_for, by, meeting):
        raise MeetingRefused(_("You cannot change this meeting."))
    with transaction.atomic():
        return [appeal_submit(source=Source.FORUM, by=by, meeting=meeting, **row) for row in rows]


def dissatisfied_since_last_meeting(*, meeting: Meeting):
    """Appeals of the meeting's place closed as solved whose resident was dissatisfied, since
    the previous party–masses meeting there: the branch looks at them again."""
    previous = (
        Meeting.objects.filter(
            type=MeetingType.PARTY_MASSES,
            community=meeting.community_id,
            estate=meeting.estate_id,
            held_at__lt=meeting.held_at,
        )
        .order_by("-held_at")
        .values("held_at")[:1]
    )
    appeals = Appeal.objects.filter(
        community_filter(meeting),
        status=Status.CLOSED,
        closure_reason=ClosureReason.SOLVED,
        return_visits__satisfaction=Satisfaction.DISSATISFIED,
        closed_at__lte=meeting.held_at,
    )
    first = previous.first()
    if first:
        appeals = appeals.filter(closed_at__gt=first["held_at"])
    return appeals.select_related("estate", "category").distinct().order_by("-closed_at")


def community_filter(meeting: Meeting) -> Q:
    if meeting.estate_id:
        return Q(estate=meeting.estate_id)
    return Q(estate__community=meeting.community_id)
