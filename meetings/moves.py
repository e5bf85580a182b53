"""The rules of an appeal's workflow, in one place: the table of moves (DESIGN.md's), the
changes that are not moves, and the one function that decides whether someone may make one
of them now, and if not, why.

The services (meetings.services) ask `refusal()` before they change anything; the staff
pages, the meeting page and any API ask `appeal_moves_open()` which moves to offer. Neither
keeps a copy of the rules.
"""

import enum
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import StaffRole
from branches.scope import CHANGE, in_scope, may, staff_scope

from .models import OPEN_STATUSES, Appeal, ClosureReason, Meeting, MeetingType, Status
from .scope import appeals_for, meetings_for


class Refusal(enum.Enum):
    """What kind of no: the HTTP status an API answers with."""

    NOT_ALLOWED = 403  # this user (or the resident) may not do this
    NOT_FOUND = 404  # not in the user's scope: as if it did not exist
    CONFLICT = 409  # not now: the appeal or meeting is not in a state for it, or a lost race
    INVALID = 422  # the input is wrong (a missing reason, a meeting of the wrong type, …)


class MoveRefused(Exception):
    """A move or change that is not allowed now; the message says why, for the person who
    tried, and `kind` what kind of refusal it is (`status`: its HTTP status)."""

    def __init__(self, message, kind: Refusal = Refusal.CONFLICT, *, needs_meeting=False):
        super().__init__(message)
        self.message = str(message)
        self.kind = kind
        # Allowed at a meeting (or to a secretary), just not to this user without one.
        self.needs_meeting = needs_meeting

    @property
    def status(self) -> int:
        return self.kind.value

    def as_json(self) -> dict:
        return {"error": self.kind.name.lower(), "message": self.message}


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

# The meeting type at which each meeting-bound kind of move is recorded.
MEETING_TYPES = {
    PARTY_MASSES: {MeetingType.PARTY_MASSES},
    PARTY_MASSES_OR_SECRETARY: {MeetingType.PARTY_MASSES},
    MEETING_OR_SECRETARY: {MeetingType.PARTY_MASSES, MeetingType.COORDINATION},
    COORDINATION: {MeetingType.COORDINATION},
    HEARING: {MeetingType.HEARING},
}
SECRETARY_MAY = {PARTY_MASSES_OR_SECRETARY, MEETING_OR_SECRETARY}

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

# Changes that write an event without a move of their own (or lead to one of several moves),
# under the same checks.
CHANGES: dict[str, Move] = {
    "reassign": Move(OPEN, None, STAFF, gettext_lazy("Change the handler")),
    "extend_due": Move(OPEN, None, STAFF, gettext_lazy("Extend the due date")),
    "agenda": Move(OPEN, None, STAFF, gettext_lazy("Put on a meeting's agenda")),
    # passed, rejected, or no quorum (heard again): hearing_passed / hearing_rejected / none
    "hearing_vote": Move(frozenset({Status.HEARING}), None, HEARING, gettext_lazy("Hearing vote")),
    # reached: visit_solved / visit_not_solved; not reached: an attempt, or unreachable
    "return_visit": Move(
        frozenset({Status.RESOLVED}),
        None,
        STAFF_OR_RESIDENT,
        gettext_lazy("Record the return visit"),
    ),
}
RULES: dict[str, Move] = {**MOVES, **CHANGES}


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about a user, an appeal and a meeting, found once (the
    meeting page finds them for a whole agenda at once)."""

    may_change: bool = False
    appeal_in_scope: bool = False
    role: str = ""  # the user's StaffRole, "" for a superuser or nobody
    superuser: bool = False
    is_handler: bool = False
    meeting_in_scope: bool = False
    on_agenda: bool = False
    voted_here: bool = False  # this hearing already voted on the appeal


def facts(appeal: Appeal, by, meeting: Meeting | None = None) -> Facts:
    if by is None:
        return Facts()
    scope = staff_scope(by)
    return Facts(
        may_change=may(by, CHANGE, Appeal),
        appeal_in_scope=in_scope(appeals_for, by, appeal),
        role=scope.role if scope else "",
        superuser=bool(getattr(by, "is_superuser", False)),
        is_handler=appeal.handler_id is not None and appeal.handler_id == by.pk,
        meeting_in_scope=meeting is not None and in_scope(meetings_for, by, meeting),
        on_agenda=meeting is not None and meeting.agenda.filter(pk=appeal.pk).exists(),
        voted_here=meeting is not None
        and meeting.type == MeetingType.HEARING
        and meeting.votes.filter(appeal=appeal).exists(),
    )


def refusal(
    name: str,
    appeal: Appeal,
    known: Facts,
    *,
    meeting: Meeting | None = None,
    by_resident: bool = False,
) -> MoveRefused | None:
    """None when the move or change `name` may be made now by whom `known` describes (the
    resident when by_resident; at `meeting` when given); else the refusal it meets."""
    rule = RULES[name]
    needs = rule.needs
    if by_resident:
        if needs not in (RESIDENT, STAFF_OR_RESIDENT):
            return MoveRefused(_("Only staff can do this."), Refusal.NOT_ALLOWED)
    elif not known.appeal_in_scope:  # first: an outsider learns nothing of the appeal
        return MoveRefused(_("No such appeal in your area."), Refusal.NOT_FOUND)
    elif needs == RESIDENT:
        return MoveRefused(
            _("Only the resident can withdraw an appeal, on its tracking page."),
            Refusal.NOT_ALLOWED,
        )
    elif not known.may_change:
        return MoveRefused(_("You can read appeals but not change them."), Refusal.NOT_ALLOWED)

    if name == "acknowledge" and appeal.acknowledged_at is not None:
        return MoveRefused(_("This appeal is already acknowledged."), Refusal.CONFLICT)
    if appeal.status not in rule.sources:
        return MoveRefused(
            _("“%(move)s” is not possible while the appeal is %(status)s.")
            % {"move": rule.label, "status": appeal.get_status_display()},
            Refusal.CONFLICT,
        )
    if by_resident:
        return None

    if needs in MEETING_TYPES:
        if meeting is None:
            if needs in SECRETARY_MAY and known.role == StaffRole.BRANCH_SECRETARY:
                return None
            return MoveRefused(
                _("This is decided at a meeting, or by the branch secretary for a simple matter.")
                if needs in SECRETARY_MAY
                else _("This is decided at a meeting: record it as the meeting's outcome."),
                Refusal.NOT_ALLOWED,
                needs_meeting=True,
            )
        if not known.meeting_in_scope:
            return MoveRefused(_("You cannot record outcomes of this meeting."), Refusal.NOT_FOUND)
        if meeting.type not in MEETING_TYPES[needs]:
            return MoveRefused(
                _("This is decided at a %(types)s, not at a %(type)s.")
                % {
                    "types": _(" or ").join(
                        str(MeetingType(t).label) for t in sorted(MEETING_TYPES[needs])
                    ),
                    "type": meeting.get_type_display(),
                },
                Refusal.INVALID,
            )
        if meeting.is_closed:
            return MoveRefused(
                _("This meeting is closed; its outcomes can no longer change."), Refusal.CONFLICT
            )
        if not known.on_agenda:
            return MoveRefused(_("This appeal is not on the meeting's agenda."), Refusal.CONFLICT)
        if needs == HEARING and known.voted_here:
            return MoveRefused(
                _("This hearing has voted on this appeal already; it is heard again at another."),
                Refusal.CONFLICT,
            )
        return None
    if needs == HANDLER and not (
        known.is_handler or known.superuser or known.role == StaffRole.COMMUNITY_STAFF
    ):
        return MoveRefused(
            _("Only the appeal's handler or community staff can report the fix."),
            Refusal.NOT_ALLOWED,
        )
    return None


def direct_by_secretary(name: str, meeting: Meeting | None) -> bool:
    """A meeting-bound move made without a meeting: the secretary's simple matter."""
    return meeting is None and RULES[name].needs in SECRETARY_MAY


def check(name: str, appeal: Appeal, *, by=None, meeting=None, by_resident=False) -> None:
    """Raise the refusal unless `name` may be made now (the services' guard)."""
    known = Facts() if by_resident else facts(appeal, by, meeting)
    refused = refusal(name, appeal, known, meeting=meeting, by_resident=by_resident)
    if refused is not None:
        raise refused


def appeal_moves_open(
    *, appeal: Appeal, user, meeting: Meeting | None = None, known: Facts | None = None
) -> dict[str, MoveRefused | None]:
    """Every move and change on this appeal, each with None where `user` may make it now
    (at `meeting` when given), else the refusal it would meet: the same checks the moves
    make. Pages and APIs offer what is None and may say why the rest is not."""
    known = known or facts(appeal, user, meeting)
    return {name: refusal(name, appeal, known, meeting=meeting) for name in RULES}


def resident_moves_open(*, appeal: Appeal) -> dict[str, MoveRefused | None]:
    """What the resident may do on the tracking page now: the same answer, for them."""
    return {
        name: refusal(name, appeal, Facts(), by_resident=True)
        for name in ("withdraw", "return_visit")
    }


def meeting_moves_open(
    *, meeting: Meeting, user, appeals
) -> dict[int, dict[str, MoveRefused | None]]:
    """appeal_moves_open for each appeal on a meeting's agenda, at that meeting, with the
    facts found for all of them in a fixed number of queries."""
    appeals = list(appeals)
    ids = [a.pk for a in appeals]
    in_scope_ids = set(appeals_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    on_agenda = set(meeting.agenda.filter(pk__in=ids).values_list("pk", flat=True))
    voted = set(meeting.votes.filter(appeal__in=ids).values_list("appeal_id", flat=True))
    scope = staff_scope(user)
    base = {
        "may_change": may(user, CHANGE, Appeal),
        "role": scope.role if scope else "",
        "superuser": bool(getattr(user, "is_superuser", False)),
        "meeting_in_scope": in_scope(meetings_for, user, meeting),
    }
    return {
        appeal.pk: appeal_moves_open(
            appeal=appeal,
            user=user,
            meeting=meeting,
            known=Facts(
                **base,
                appeal_in_scope=appeal.pk in in_scope_ids,
                is_handler=appeal.handler_id == user.pk,
                on_agenda=appeal.pk in on_agenda,
                voted_here=appeal.pk in voted,
            ),
        )
        for appeal in appeals
    }
