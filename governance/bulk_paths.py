"""The life stories of seed_bulk's appeals (governance/bulk.py): a few dozen *paths* (handled
directly, referred, sent back, through the meetings, declined, unreachable, ...), each
expanded here, once, into the events a real run of moves writes and the appeal's columns
after each of its steps.

The expansion goes through the services' own rules, so a path is what the moves would do:
every step is asked of `meetings.moves.refusal` (who, from which status, at which meeting)
and refused paths fail loudly; the clocks are set by `meetings.services`' own
`_clocks_on_entering`, `_due_set` and `next_due`.

Times are symbolic (`Ref`): an appeal's moment is

    created + a × ack_hours + (s × cum + D[m]) hours + days

where `ack_hours` (when it was acknowledged) and `s` (how fast this appeal goes) are drawn
per appeal, `cum` is the step's hours after the acknowledgement on the path, `m` counts the
meetings decided so far and `D[m]` is how long the appeal waited for them (the meeting's
date minus when it was ready for it, computed per appeal in SQL). seed_bulk turns each Ref
into that SQL expression, so an event's time, the due dates it set and the appeal's columns
all come from the same arithmetic.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from branches.models import StaffRole
from meetings.models import (
    Appeal,
    Channel,
    DueField,
    EventKind,
    Meeting,
    MeetingType,
    Satisfaction,
    Status,
)
from meetings.moves import CHANGES, MOVES, Facts, direct_by_secretary, refusal
from meetings.services import (
    DUE_FIELDS,
    _clocks_on_entering,  # the services' clock rules: a template sets what a move sets
    _due_set,
    hearing_result,
    next_due,
)

# How long a due date is extended, on the paths that extend one.
EXTENSION_DAYS = 15
# A visit that does not reach the resident is a phone call.
ATTEMPT_CHANNEL = Channel.PHONE


@dataclass(frozen=True)
class Ref:
    """A moment of an appeal's life, symbolically (module docstring)."""

    a: int
    cum: float
    m: int
    days: float = 0.0

    def __add__(self, delta: timedelta) -> "Ref":
        return replace(self, days=self.days + delta.total_seconds() / 86400)

    def _same_base(self, other: "Ref") -> bool:
        return (self.a, self.cum, self.m) == (other.a, other.cum, other.m)

    def __lt__(self, other: "Ref") -> bool:
        # next_due() takes the earliest of a few dates; with different bases the order
        # depends on the appeal's draws, which a template cannot know.
        if not self._same_base(other):
            raise ValueError(f"cannot order {self} and {other} in a template")
        return self.days < other.days

    def __le__(self, other):
        return self == other or self < other

    def __gt__(self, other):
        return other < self

    def __ge__(self, other):
        return other <= self


@dataclass(frozen=True)
class Step:
    """One step of a path, after the submission and the acknowledgement."""

    name: str  # a move of MOVES, or the change "return_visit", "hearing_vote", "extend_due"
    at: float  # hours after the acknowledgement (before the appeal's pace `s`)
    meeting: str = ""  # decided at a meeting of this type (put on its agenda first)
    department: int = 0  # a referral names the appeal's first (1) or second (2) department
    satisfaction: str = ""  # a reached visit's answer; "" = the appeal's own draw


def _visit(name, at, **kw):
    return Step(name, at, **kw)


# The paths and how often each is taken, in percent of appeals (seed_bulk normalises).
PM, CO, HE = MeetingType.PARTY_MASSES, MeetingType.COORDINATION, MeetingType.HEARING
FIXED = [Step("report_fix", 96)]
PATHS: dict[str, tuple[float, list[Step]]] = {
    "handled": (45, [Step("route_handle", 10), *FIXED, _visit("visit_solved", 132)]),
    "handled, not solved, handled again": (
        4,
        [
            Step("route_handle", 10),
            *FIXED,
            _visit("visit_not_solved", 130, satisfaction=Satisfaction.DISSATISFIED),
            Step("route_handle", 150),
            Step("report_fix", 220),
            _visit("visit_solved", 260),
        ],
    ),
    "handled, visited twice": (
        3,
        [
            Step("route_handle", 10),
            *FIXED,
            Step("return_visit", 120),
            _visit("visit_solved", 150),
        ],
    ),
    "handled, unreachable": (
        3,
        [
            Step("route_handle", 10),
            *FIXED,
            *[Step("return_visit", 120 + 24 * n) for n in range(1, 99)][
                : settings.APPEAL_UNREACHABLE_ATTEMPTS - 1
            ],
            Step("unreachable", 120 + 24 * settings.APPEAL_UNREACHABLE_ATTEMPTS),
        ],
    ),
    "referred": (
        14,
        [
            Step("route_refer", 20, department=1),
            Step("department_accept", 60),
            Step("report_fix", 216),
            _visit("visit_solved", 252),
        ],
    ),
    "referred, extended": (
        2,
        [
            Step("route_refer", 20, department=1),
            Step("department_accept", 60),
            Step("extend_due", 200),
            Step("report_fix", 400),
            _visit("visit_solved", 440),
        ],
    ),
    "referred, sent back, referred elsewhere": (
        2,
        [
            Step("route_refer", 20, department=1),
            Step("department_send_back", 72),
            Step("route_refer", 96, department=2),
            Step("department_accept", 130),
            Step("report_fix", 300),
            _visit("visit_solved", 340),
        ],
    ),
    "handled, then referred": (
        1,
        [
            Step("route_handle", 10),
            Step("refer", 72, department=1),
            Step("department_accept", 100),
            Step("report_fix", 260),
            _visit("visit_solved", 300),
        ],
    ),
    "coordinated": (
        5,
        [
            Step("route_coordinate", 24, meeting=PM),
            Step("coordination_agreed", 48, meeting=CO),
            Step("report_fix", 200),
            _visit("visit_solved", 240),
        ],
    ),
    "coordinated, referred": (
        2,
        [
            Step("route_coordinate", 24, meeting=PM),
            Step("coordination_refer", 48, meeting=CO, department=1),
            Step("department_accept", 80),
            Step("report_fix", 250),
            _visit("visit_solved", 290),
        ],
    ),
    "coordinated, heard": (
        0.3,
        [
            Step("route_coordinate", 24, meeting=PM),
            Step("coordination_major", 48, meeting=CO),
            Step("hearing_passed", 72, meeting=HE),
            Step("report_fix", 250),
            _visit("visit_solved", 290),
        ],
    ),
    "heard, passed": (
        1,
        [
            Step("route_major", 24, meeting=PM),
            Step("hearing_passed", 48, meeting=HE),
            Step("report_fix", 250),
            _visit("visit_solved", 290),
        ],
    ),
    "heard, rejected": (
        0.5,
        [Step("route_major", 24, meeting=PM), Step("hearing_rejected", 48, meeting=HE)],
    ),
    "heard twice (no quorum)": (
        0.3,
        [
            Step("route_major", 24, meeting=PM),
            Step("hearing_vote", 48, meeting=HE),
            Step("hearing_passed", 60, meeting=HE),
            Step("report_fix", 250),
            _visit("visit_solved", 290),
        ],
    ),
    "declined by the secretary": (5, [Step("decline", 24)]),
    "declined at a meeting": (1.5, [Step("decline", 24, meeting=PM)]),
    "duplicate": (3, [Step("close_duplicate", 6)]),
    "withdrawn": (2, [Step("withdraw", 20)]),
}

# Who makes each step. "submit": the resident on the web form, else staff entering it;
# "visit": the resident answering online or community staff calling.
SECRETARY, COMMUNITY, RESIDENT, SUBMIT, VISIT = "sec", "com", "resident", "submit", "visit"
ACTOR_OF = {
    "acknowledge": SECRETARY,
    "route_handle": SECRETARY,
    "route_refer": SECRETARY,
    "decline": SECRETARY,
    "close_duplicate": SECRETARY,
    "report_fix": SECRETARY,
    "withdraw": RESIDENT,
    "visit_solved": VISIT,
    "visit_not_solved": VISIT,
}
# At a meeting: the branch's party–masses meeting is recorded by its secretary, the
# community's meetings by community staff.
MEETING_ACTOR = {PM: SECRETARY, CO: COMMUNITY, HE: COMMUNITY}

# Hearing votes (eligible, present, for, against, abstain) for each outcome.
VOTES = {
    "hearing_passed": (30, 23, 17, 4, 2),
    "hearing_rejected": (30, 24, 8, 14, 2),
    "hearing_vote": (30, 14, 10, 3, 1),  # no quorum: heard again
}

# Words a step writes on the timeline (data, in the document language).
NOTES = {
    "decline": "经核实，该事项不属于社区职责范围，已告知居民向相关部门反映。",
    "department_send_back": "该事项不属于本部门职责，退回社区重新分办。",
    "report_fix": "已安排人员处理完毕，请居民确认。",
    "extend_due": "需协调多个单位，申请延期办理。",
}


def _note(move: str) -> str:
    if move == "close_duplicate":  # what appeal_close_duplicate writes, in Chinese
        with translation.override(settings.LANGUAGE_CODE):
            return gettext("Handled together with an earlier appeal about the same problem.")
    return NOTES.get(move, "") if move != "extend_due" else ""


@dataclass
class EventRow:
    """One event of a path: its place in the path and what it writes."""

    i: int
    kind: str
    move: str
    from_status: str
    to_status: str
    at: Ref
    meeting: int = 0  # which of the path's meetings it names (0: none)
    actor: str = ""
    direct_by_secretary: bool = False
    public_note: str = ""
    internal_note: str = ""
    department: int = 0
    handler: bool = False
    original: bool = False
    due_field: str = ""
    due_at: Ref | None = None
    data: dict = field(default_factory=dict)
    data_kind: str = ""  # "source", "visit", "from": completed per appeal in SQL
    extended_from: Ref | None = None  # the due date an extension replaced
    visit: dict | None = None  # the ReturnVisit it records (reached, solved, satisfaction)
    vote: tuple | None = None  # the HearingVote it records


@dataclass
class State:
    """The appeal's columns after a path's first k events."""

    k: int
    status: str
    closure_reason: str
    times: dict  # column name -> Ref or None
    next_due: list  # the candidates of next_due_at (SQL takes the least)
    department: int
    handler: bool
    original: bool


@dataclass
class Path:
    number: int
    name: str
    weight: float
    events: list[EventRow]
    states: list[State]
    meetings: list[tuple[str, float, int]]  # (type, hours after acknowledgement, agenda i)

    @property
    def length(self) -> int:
        return len(self.events)


TIME_COLUMNS = (
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "response_due_at",
    "routing_due_at",
    "handling_due_at",
    "return_visit_due_at",
)


def _facts(actor: str, state: dict, meeting: bool) -> Facts:
    role = StaffRole.BRANCH_SECRETARY if actor == SECRETARY else StaffRole.COMMUNITY_STAFF
    return Facts(
        may_change=True,
        appeal_in_scope=True,
        role=role,
        is_handler=actor == SECRETARY and state["handler"],
        meeting_in_scope=meeting,
        on_agenda=meeting,
    )


def _check(name: str, actor: str, state: dict, meeting_type: str, path: str) -> None:
    """The rules' own answer for this step: a path the moves refuse is a bug here."""
    appeal = Appeal(
        status=state["status"],
        acknowledged_at=datetime(2000, 1, 1) if state["acknowledged_at"] else None,
    )
    meeting = Meeting(type=meeting_type) if meeting_type else None
    refused = refusal(
        name,
        appeal,
        Facts() if actor == RESIDENT else _facts(actor, state, bool(meeting_type)),
        meeting=meeting,
        by_resident=actor == RESIDENT,
    )
    if refused is not None:
        raise ValueError(f"path {path!r}: {name} refused: {refused.message}")


def _next_due(state: dict) -> list[Ref]:
    """The candidates of next_due_at: next_due() itself where it can decide (same base),
    else the dates it would choose among (SQL takes the least)."""
    args = {
        "status": state["status"],
        "acknowledged_at": state["acknowledged_at"],
        "response_due_at": state["response_due_at"],
        "routing_due_at": state["routing_due_at"],
        "handling_due_at": state["handling_due_at"],
        "return_visit_due_at": state["return_visit_due_at"],
    }
    try:
        due = next_due(**args)
        return [] if due is None else [due]
    except ValueError:
        chosen = next_due(**{**args, "acknowledged_at": True})  # the status's own date
        return [d for d in (state["response_due_at"], chosen) if d is not None]


def expand(number: int, name: str, weight: float, steps: list[Step]) -> Path:
    """The events and states of one path (module docstring)."""
    state = {
        "status": Status.RECEIVED,
        "closure_reason": "",
        "department": 0,
        "handler": False,
        "original": False,
        **dict.fromkeys(TIME_COLUMNS),
    }
    events: list[EventRow] = []
    states: list[State] = []
    meetings: list[tuple[str, float, int]] = []

    def snapshot():
        states.append(
            State(
                k=len(events),
                status=state["status"],
                closure_reason=state["closure_reason"],
                times={c: state[c] for c in TIME_COLUMNS},
                next_due=_next_due(state),
                department=state["department"],
                handler=state["handler"],
                original=state["original"],
            )
        )

    def add(**kw):
        events.append(EventRow(i=len(events) + 1, **kw))

    created = Ref(0, 0.0, 0)
    state["response_due_at"] = created + timedelta(days=settings.APPEAL_RESPONSE_DAYS)
    state["routing_due_at"] = created + timedelta(days=settings.APPEAL_ROUTING_DAYS)
    add(
        kind=EventKind.SUBMITTED,
        move="",
        from_status="",
        to_status=Status.RECEIVED,
        at=created,
        actor=SUBMIT,
        due_field=DueField.RESPONSE,
        due_at=state["response_due_at"],
        data_kind="source",
    )
    snapshot()
    acknowledged = Ref(1, 0.0, 0)
    _check("acknowledge", SECRETARY, state, "", name)
    state["acknowledged_at"] = acknowledged
    add(
        kind=EventKind.ACKNOWLEDGED,
        move="acknowledge",
        from_status=state["status"],
        to_status=state["status"],
        at=acknowledged,
        actor=SECRETARY,
    )
    snapshot()

    attempts = 0
    for step in steps:
        meeting_no = len(meetings)
        if step.meeting:
            actor = MEETING_ACTOR[step.meeting]
            _check("agenda", actor, state, "", name)
            meetings.append((step.meeting, step.at, len(events) + 1))
            add(
                kind=EventKind.AGENDA,
                move="",
                from_status=state["status"],
                to_status=state["status"],
                at=Ref(1, step.at, meeting_no),
                meeting=meeting_no + 1,
                actor=actor,
            )
            snapshot()
            meeting_no += 1
        at = Ref(1, step.at, meeting_no)
        meeting = meeting_no if step.meeting else 0
        actor = MEETING_ACTOR[step.meeting] if step.meeting else ACTOR_OF.get(step.name, COMMUNITY)
        check_as = COMMUNITY if actor == VISIT else actor
        _check(step.name, check_as, state, step.meeting, name)
        row = {
            "at": at,
            "meeting": meeting,
            "actor": actor,
            "from_status": state["status"],
            "public_note": _note(step.name),
        }
        if step.name == "return_visit":
            attempts += 1
            add(
                kind=EventKind.RETURN_VISIT,
                move="",
                to_status=state["status"],
                data={"reached": False, "attempts": attempts, "channel": ATTEMPT_CHANNEL},
                visit={"reached": False, "solved": None, "satisfaction": ""},
                **row,
            )
        elif step.name == "hearing_vote":
            vote = VOTES[step.name]
            quorum, passed = hearing_result(eligible=vote[0], present=vote[1], votes_for=vote[2])
            assert not quorum, "a hearing vote without a move is one without quorum"
            add(
                kind=EventKind.HEARING_VOTE,
                move="",
                to_status=state["status"],
                data=_vote_data(vote, quorum, passed),
                vote=vote,
                **row,
            )
        elif step.name == "extend_due":
            due_field = DUE_FIELDS[state["status"]]
            current = state[due_field]
            until = current + timedelta(days=EXTENSION_DAYS)
            state[due_field] = until
            add(
                kind=EventKind.DUE_EXTENDED,
                move="",
                to_status=state["status"],
                due_field=due_field,
                due_at=until,
                data_kind="from",
                extended_from=current,
                **{**row, "public_note": "", "internal_note": NOTES["extend_due"]},
            )
        else:
            _move(step, row, state, add, attempts, name)
        snapshot()
    assert len(states) == len(events)
    return Path(number, name, weight, events, states, meetings)


def _vote_data(vote, quorum, passed) -> dict:
    eligible, present, votes_for, against, abstain = vote
    return {
        "eligible": eligible,
        "present": present,
        "for": votes_for,
        "against": against,
        "abstain": abstain,
        "quorum": quorum,
        "passed": passed,
    }


def _move(step: Step, row: dict, state: dict, add, attempts: int, path: str) -> None:
    """A move of MOVES, with what the services' _apply sets."""
    move = MOVES[step.name]
    target = move.target or state["status"]
    changes = {}
    if step.name.startswith("route_"):
        changes["handler"] = True  # the handler stays, or is who routes it: the secretary
    if step.department:
        changes["department"] = step.department
    if step.name == "close_duplicate":
        changes["original"] = True
    fields = {"status": target}
    appeal = SimpleNamespace(status=state["status"], handling_due_at=state["handling_due_at"])
    fields.update(_clocks_on_entering(appeal, target, move, row["at"], fields))
    extra = {}
    if step.name in VOTES:
        quorum, passed = hearing_result(
            eligible=VOTES[step.name][0],
            present=VOTES[step.name][1],
            votes_for=VOTES[step.name][2],
        )
        if passed != (step.name == "hearing_passed") or not quorum:
            raise ValueError(f"path {path!r}: the votes of {step.name} do not decide it")
        extra = {"data": _vote_data(VOTES[step.name], quorum, passed), "vote": VOTES[step.name]}
    elif step.name in ("visit_solved", "visit_not_solved"):
        extra = {
            "data_kind": "visit",
            "data": {"satisfaction": step.satisfaction},
            "visit": {
                "reached": True,
                "solved": step.name == "visit_solved",
                "satisfaction": step.satisfaction,
            },
        }
    elif step.name == "unreachable":
        extra = {
            "data": {"reached": False, "attempts": attempts + 1, "channel": ATTEMPT_CHANNEL},
            "visit": {"reached": False, "solved": None, "satisfaction": ""},
        }
    due = _due_set(fields)
    add(
        kind=EventKind.MOVED,
        move=step.name,
        to_status=target,
        direct_by_secretary=direct_by_secretary(step.name, None) and not step.meeting,
        department=changes.get("department", 0),
        handler=bool(changes.get("handler")),
        original=bool(changes.get("original")),
        due_field=due.get("due_field", ""),
        due_at=due.get("due_at"),
        **extra,
        **row,
    )
    for column, value in fields.items():
        if column in state:
            state[column] = value
    if "closure_reason" in fields:
        state["closure_reason"] = fields["closure_reason"]
    state["department"] = changes.get("department", state["department"])
    state["handler"] = state["handler"] or bool(changes.get("handler"))
    state["original"] = state["original"] or bool(changes.get("original"))


def all_paths() -> list[Path]:
    """Every path, expanded and checked against the rules."""
    assert set(CHANGES) >= {"return_visit", "hearing_vote", "extend_due", "agenda"}
    return [
        expand(number, name, weight, steps)
        for number, (name, (weight, steps)) in enumerate(PATHS.items(), start=1)
    ]
