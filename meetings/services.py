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
from django.contrib.admin.models import CHANGE as CHANGE_FLAG
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Building, Estate
from branches.scope import CHANGE, estates_for, in_scope, may, staff_users_for

from .api_keys import estates_of_key
from .messaging import notify_department, notify_resident
from .models import (
    ApiKey,
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealPhoto,
    Channel,
    Department,
    DueField,
    EventKind,
    HearingVote,
    Meeting,
    MeetingType,
    ReturnVisit,
    ReviewScore,
    Satisfaction,
    Source,
    Status,
)
from .moves import (  # noqa: F401 - MOVES, RULES and appeal_moves_open are the services' too
    MOVES,
    ROUTABLE,
    RULES,
    Move,
    MoveRefused,
    Refusal,
    appeal_moves_open,
    check,
    direct_by_secretary,
)
from .photos import CleanPhoto
from .queries import representatives_of
from .reminders import reminder_columns
from .rollups import count_event, count_visit
from .scope import appeals_for, meetings_for
from .tracking import new_code


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


def _due_set(fields: dict) -> dict:
    """The deadline a move set for the step it opened, for its event."""
    for field in (DueField.HANDLING, DueField.RETURN_VISIT, DueField.ROUTING):
        if fields.get(field) is not None:
            return {"due_field": field, "due_at": fields[field]}
    return {}


def _lost_race() -> MoveRefused:
    return MoveRefused(
        _("Someone else changed this appeal a moment ago. Reload it to see what happened."),
        Refusal.CONFLICT,
    )


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
    at: datetime | None = None,
    now: datetime | None = None,
) -> Appeal:
    """Make the move: check it, guard the status with a conditional UPDATE, write its event.
    `at` backdates it (seeding: nobody is told); `now` is the caller's clock for it."""
    move = MOVES[move_name]
    check(move_name, appeal, by=by, meeting=meeting, by_resident=by_resident)
    now = now or at or timezone.now()
    target = move.target or appeal.status
    changes = changes or {}
    fields = {"status": target, **changes}
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
            raise _lost_race()
        event = AppealEvent.objects.create(
            appeal=appeal,
            created_at=now,
            actor=None if by_resident else by,
            by_resident=by_resident,
            kind=EventKind.ACKNOWLEDGED if move_name == "acknowledge" else EventKind.MOVED,
            move=move_name,
            from_status=appeal.status,
            to_status=target,
            meeting=meeting,
            direct_by_secretary=not by_resident and direct_by_secretary(move_name, meeting),
            public_note=public_note,
            internal_note=internal_note,
            department=changes.get("department"),
            handler=changes.get("handler"),
            original=changes.get("duplicate_of"),
            **_due_set(fields),
            data=data or {},
        )
        count_event(event, appeal)
        for name, value in fields.items():
            setattr(appeal, name, value)
        if at is None:  # a backdated move (seeding) records the past: nobody is told now
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
    language: str = "",
    at: datetime | None = None,
    api_key: ApiKey | None = None,
) -> Appeal:
    """Register a new appeal, from a resident (by=None) or entered by staff, with its first
    event, in one transaction, and text the resident its tracking code. The code is unique:
    a collision draws another. `at` backdates it (demo and bulk seeding only). Another
    system files through the Open311 API with its `api_key` (source "api"), only within the
    key's town or community and while the key is not revoked."""
    if building is not None and building.estate_id != estate.pk:
        raise MoveRefused(_("This building is not in the chosen estate."), Refusal.INVALID)
    if (source == Source.API) != (api_key is not None):
        raise MoveRefused(_("Appeals from another system come with its API key."), Refusal.INVALID)
    if api_key is not None:
        if api_key.revoked_at is not None:
            raise MoveRefused(_("This API key is revoked."), Refusal.NOT_ALLOWED)
        if not estates_of_key(api_key).filter(pk=estate.pk).exists():
            raise MoveRefused(
                _("This API key files appeals only in %(scope)s.") % {"scope": api_key.scope_name},
                Refusal.NOT_ALLOWED,
            )
    if by is not None:
        if not in_scope(estates_for, by, estate):
            raise MoveRefused(_("You cannot enter appeals for this estate."), Refusal.NOT_FOUND)
        if not may(by, CHANGE, Appeal):
            raise MoveRefused(_("You can read appeals but not change them."), Refusal.NOT_ALLOWED)
    now = at or timezone.now()
    appeal = Appeal(
        estate=estate,
        building=building,
        category=category,
        title=title,
        description=description,
        source=source,
        api_key=api_key,
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
                created_at=now,
            )
        event = AppealEvent.objects.create(
            appeal=appeal,
            created_at=now,
            actor=by,
            by_resident=by is None,
            kind=EventKind.SUBMITTED,
            to_status=Status.RECEIVED,
            meeting=meeting,
            due_field=DueField.RESPONSE,
            due_at=appeal.response_due_at,
            data={"source": source, **({"api_key": api_key.pk} if api_key else {})},
        )
        count_event(event, appeal)
        if meeting is not None:
            meeting.agenda.add(appeal)
        if at is None:
            notify_resident(appeal, "submitted", stamp="")
    return appeal


# --- Moves ------------------------------------------------------------------------------


def appeal_acknowledge(
    *,
    appeal: Appeal,
    by,
    public_note: str = "",
    internal_note: str = "",
    at: datetime | None = None,
) -> Appeal:
    now = at or timezone.now()
    return _apply(
        "acknowledge",
        appeal,
        by=by,
        public_note=public_note,
        internal_note=internal_note,
        changes={"acknowledged_at": now},
        at=at,
        now=now,
    )


ROUTES = {
    "handle": "route_handle",
    "coordinate": "route_coordinate",
    "major": "route_major",
    "refer": "route_refer",
}


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
    at: datetime | None = None,
) -> Appeal:
    """Route a received or reopened appeal: to = handle, coordinate, major or refer. The
    handler stays, or is the one given, or the person routing it."""
    move_name = ROUTES.get(to)
    if move_name is None:
        raise MoveRefused(_("Unknown route."), Refusal.INVALID)
    changes = {"handler": handler or appeal.handler or by}
    if to == "refer":
        if department is None:
            raise MoveRefused(_("Choose the department to refer it to."), Refusal.INVALID)
        changes["department"] = department
    return _apply(
        move_name,
        appeal,
        by=by,
        meeting=meeting,
        public_note=public_note,
        internal_note=internal_note,
        changes=changes,
        at=at,
    )


def appeal_decline(
    *,
    appeal: Appeal,
    by,
    reason: str,
    meeting: Meeting | None = None,
    internal_note: str = "",
    at: datetime | None = None,
) -> Appeal:
    if not reason.strip():
        raise MoveRefused(_("Say why it is declined: the resident will read it."), Refusal.INVALID)
    return _apply(
        "decline",
        appeal,
        by=by,
        meeting=meeting,
        public_note=reason,
        internal_note=internal_note,
        at=at,
    )


def appeal_close_duplicate(
    *, appeal: Appeal, original: Appeal | None, by, internal_note: str = "", at=None
) -> Appeal:
    """Close as a duplicate of `original` (None: no appeal has the code given)."""
    check("close_duplicate", appeal, by=by)
    if original is None or not in_scope(appeals_for, by, original):
        raise MoveRefused(_("No appeal with that code in your area."), Refusal.INVALID)
    if original.pk == appeal.pk:
        raise MoveRefused(_("An appeal cannot be a duplicate of itself."), Refusal.INVALID)
    if not original.is_open:
        raise MoveRefused(
            _("The original appeal is closed: handle this one on its own instead."),
            Refusal.CONFLICT,
        )
    return _apply(
        "close_duplicate",
        appeal,
        by=by,
        # Never the original's code: it is another resident's key to their appeal.
        public_note=_("Handled together with an earlier appeal about the same problem."),
        internal_note=internal_note,
        changes={"duplicate_of": original},
        at=at,
    )


def appeal_withdraw(*, appeal: Appeal, note: str = "", at: datetime | None = None) -> Appeal:
    return _apply("withdraw", appeal, by_resident=True, public_note=note, at=at)


COORDINATION_OUTCOMES = {
    "agreed": "coordination_agreed",
    "major": "coordination_major",
    "refer": "coordination_refer",
}


def appeal_coordination_outcome(
    *,
    appeal: Appeal,
    # Required by the rule, not the signature: without one the move is refused with a message.
    meeting: Meeting | None = None,
    outcome: str,
    by,
    department: Department | None = None,
    public_note: str = "",
    internal_note: str = "",
    at: datetime | None = None,
) -> Appeal:
    """outcome = agreed, major (no agreement: hearing) or refer (no agreement: department)."""
    move_name = COORDINATION_OUTCOMES.get(outcome)
    if move_name is None:
        raise MoveRefused(_("Unknown outcome."), Refusal.INVALID)
    changes = {}
    if outcome == "refer":
        if department is None:
            raise MoveRefused(_("Choose the department to refer it to."), Refusal.INVALID)
        changes["department"] = department
    return _apply(
        move_name,
        appeal,
        by=by,
        meeting=meeting,
        public_note=public_note,
        internal_note=internal_note,
        changes=changes,
        at=at,
    )


def hearing_result(*, eligible: int, present: int, votes_for: int) -> tuple[bool, bool]:
    """(quorum, passed) under the rule in settings."""
    quorum = present > 0 and present >= Fraction(settings.HEARING_QUORUM) * eligible
    passed = quorum and votes_for > Fraction(settings.HEARING_MAJORITY) * present
    return quorum, passed


def appeal_record_hearing_vote(
    *,
    appeal: Appeal,
    # Required by the rule, not the signature: without one the vote is refused with a message.
    meeting: Meeting | None = None,
    by,
    eligible: int,
    present: int,
    votes_for: int,
    votes_against: int,
    abstain: int,
    public_note: str = "",
    at: datetime | None = None,
) -> HearingVote:
    """Record a hearing's vote on an appeal and apply the rule: passed → in progress;
    rejected with quorum → declined; no quorum → still in hearing, to be heard again."""
    check("hearing_vote", appeal, by=by, meeting=meeting)
    if min(eligible, present, votes_for, votes_against, abstain) < 0:
        raise MoveRefused(_("Counts cannot be negative."), Refusal.INVALID)
    if present > eligible:
        raise MoveRefused(_("More present than eligible."), Refusal.INVALID)
    if votes_for + votes_against + abstain > present:
        raise MoveRefused(_("More votes than people present."), Refusal.INVALID)
    now = at or timezone.now()
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
                at=at,
                now=now,
            )
        else:  # no move: the appeal stays in hearing, to be heard again
            event = AppealEvent.objects.create(
                appeal=appeal,
                created_at=now,
                actor=by,
                kind=EventKind.HEARING_VOTE,
                meeting=meeting,
                from_status=appeal.status,
                to_status=appeal.status,
                public_note=public_note,
                data=counts,
            )
            count_event(event, appeal)
        try:
            with transaction.atomic():
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
                    created_at=now,
                )
        except IntegrityError:  # a second clerk recorded the same vote a moment ago
            raise MoveRefused(
                _("This hearing has voted on this appeal already."), Refusal.CONFLICT
            ) from None


def appeal_department_accept(
    *,
    appeal: Appeal,
    by,
    public_note: str = "",
    internal_note: str = "",
    at: datetime | None = None,
) -> Appeal:
    return _apply(
        "department_accept",
        appeal,
        by=by,
        public_note=public_note,
        internal_note=internal_note,
        at=at,
    )


def appeal_department_send_back(
    *, appeal: Appeal, by, reason: str, at: datetime | None = None
) -> Appeal:
    if not reason.strip():
        raise MoveRefused(_("Say why the department sends it back."), Refusal.INVALID)
    return _apply("department_send_back", appeal, by=by, public_note=reason, at=at)


def appeal_refer(
    *,
    appeal: Appeal,
    by,
    department: Department,
    public_note: str = "",
    internal_note: str = "",
    at: datetime | None = None,
) -> Appeal:
    if department is None:
        raise MoveRefused(_("Choose the department to refer it to."), Refusal.INVALID)
    return _apply(
        "refer",
        appeal,
        by=by,
        public_note=public_note,
        internal_note=internal_note,
        changes={"department": department},
        at=at,
    )


def appeal_report_fix(
    *, appeal: Appeal, by, public_note: str, internal_note: str = "", at: datetime | None = None
) -> Appeal:
    if not public_note.strip():
        raise MoveRefused(_("Say what was done: the resident will read it."), Refusal.INVALID)
    return _apply(
        "report_fix", appeal, by=by, public_note=public_note, internal_note=internal_note, at=at
    )


def appeal_record_return_visit(
    *,
    appeal: Appeal,
    by=None,
    channel: str,
    reached: bool,
    solved: bool | None = None,
    satisfaction: str = "",
    note: str = "",
    at: datetime | None = None,
) -> ReturnVisit:
    """A return visit by staff, or the resident's own answer (by=None). Solved → closed;
    not solved → reopened; not reached N times (setting) → closed as unreachable."""
    by_resident = by is None
    if by_resident:
        channel, reached = Channel.RESIDENT_ONLINE, True
    check("return_visit", appeal, by=by, by_resident=by_resident)
    if reached and (solved is None or satisfaction not in Satisfaction.values):
        raise MoveRefused(
            _("Say whether it is solved and how satisfied the resident is."), Refusal.INVALID
        )
    if not reached:
        solved, satisfaction = None, ""
    now = at or timezone.now()
    with transaction.atomic():
        # The appeal's row, locked: nothing is recorded on an appeal visited meanwhile (a
        # stale page), two clerks at once do not count the same attempt twice, and the
        # return-visit due date read is the one in force (the roll-ups' "on time").
        due = list(
            Appeal.objects.select_for_update()
            .filter(pk=appeal.pk, status=Status.RESOLVED)
            .values_list("return_visit_due_at", flat=True)
        )
        if not due:
            raise _lost_race()
        if reached:
            _apply(
                "visit_solved" if solved else "visit_not_solved",
                appeal,
                by=by,
                by_resident=by_resident,
                public_note=note if by_resident else "",
                internal_note="" if by_resident else note,
                data={"satisfaction": satisfaction, "channel": channel},
                at=at,
                now=now,
            )
        else:
            attempts = (
                1
                + appeal.return_visits.filter(
                    reached=False, created_at__gte=appeal.resolved_at
                ).count()
            )
            details = {"reached": False, "attempts": attempts, "channel": channel}
            if attempts >= settings.APPEAL_UNREACHABLE_ATTEMPTS:
                _apply(
                    "unreachable", appeal, by=by, internal_note=note, data=details, at=at, now=now
                )
            else:
                event = AppealEvent.objects.create(
                    appeal=appeal,
                    created_at=now,
                    actor=by,
                    kind=EventKind.RETURN_VISIT,
                    from_status=appeal.status,
                    to_status=appeal.status,
                    internal_note=note,
                    data=details,
                )
                count_event(event, appeal)
        visit = ReturnVisit.objects.create(
            appeal=appeal,
            by=by,
            channel=channel,
            reached=reached,
            solved=solved,
            satisfaction=satisfaction,
            note=note,
            created_at=now,
        )
        count_visit(visit, appeal, due=due[0])
        return visit


# --- Changes that are not moves ---------------------------------------------------------


def appeal_reassign(
    *, appeal: Appeal, by, handler, note: str = "", at: datetime | None = None
) -> Appeal:
    check("reassign", appeal, by=by)
    if handler is not None and not staff_users_for(by).filter(pk=handler.pk).exists():
        raise MoveRefused(_("Choose a handler from your community."), Refusal.INVALID)
    with transaction.atomic():
        if not Appeal.objects.filter(pk=appeal.pk, status=appeal.status).update(handler=handler):
            raise _lost_race()
        event = AppealEvent.objects.create(
            appeal=appeal,
            created_at=at or timezone.now(),
            actor=by,
            kind=EventKind.HANDLER_CHANGED,
            internal_note=note,
            handler=handler,
            data={
                "from": appeal.handler_id,
                "name": handler.get_full_name() or handler.get_username() if handler else "",
            },
        )
        count_event(event, appeal)  # counts nothing today; every event is offered
    appeal.handler = handler
    return appeal


DUE_FIELDS = {
    Status.RECEIVED: DueField.ROUTING,
    Status.REOPENED: DueField.ROUTING,
    Status.COORDINATING: DueField.HANDLING,
    Status.HEARING: DueField.HANDLING,
    Status.REFERRED: DueField.HANDLING,
    Status.IN_PROGRESS: DueField.HANDLING,
    Status.RESOLVED: DueField.RETURN_VISIT,
}


def appeal_extend_due(
    *, appeal: Appeal, by, until: datetime, reason: str, at: datetime | None = None
) -> Appeal:
    """Move the current step's due date later, with a reason (kept on the timeline)."""
    check("extend_due", appeal, by=by)
    if not reason.strip():
        raise MoveRefused(_("Give the reason for the extension."), Refusal.INVALID)
    now = at or timezone.now()
    field = DUE_FIELDS[appeal.status]
    current = getattr(appeal, field)
    if until <= now or (current and until <= current):
        raise MoveRefused(
            _("The new due date must be later than the current one and in the future."),
            Refusal.INVALID,
        )
    if until > now + timedelta(days=366):
        raise MoveRefused(_("Extend by a year at most."), Refusal.INVALID)
    fields = _with_next_due(appeal, {field: until})
    if field == DueField.RETURN_VISIT:
        fields.update(reminder_columns(until))
    with transaction.atomic():
        won = Appeal.objects.filter(pk=appeal.pk, status=appeal.status).update(**fields)
        if not won:
            raise _lost_race()
        event = AppealEvent.objects.create(
            appeal=appeal,
            created_at=now,
            actor=by,
            kind=EventKind.DUE_EXTENDED,
            internal_note=reason,
            due_field=field,
            due_at=until,
            data={"from": current.isoformat() if current else None},
        )
        count_event(event, appeal)
    for name, value in fields.items():
        setattr(appeal, name, value)
    return appeal


# --- Meetings ---------------------------------------------------------------------------


def _check_meeting(meeting: Meeting, by, *, open_only: bool = True) -> None:
    if not in_scope(meetings_for, by, meeting):
        raise MoveRefused(_("No such meeting in your area."), Refusal.NOT_FOUND)
    if not may(by, CHANGE, Meeting):
        raise MoveRefused(_("You cannot change this meeting."), Refusal.NOT_ALLOWED)
    if open_only and meeting.is_closed:
        raise MoveRefused(_("This meeting is closed."), Refusal.CONFLICT)


def meeting_add_to_agenda(
    *, meeting: Meeting, appeal: Appeal, by, at: datetime | None = None
) -> None:
    _check_meeting(meeting, by)
    check("agenda", appeal, by=by)
    if appeal.estate.community_id != meeting.community_id or (
        meeting.estate_id and appeal.estate_id != meeting.estate_id
    ):
        raise MoveRefused(_("This appeal is from another estate or community."), Refusal.INVALID)
    with transaction.atomic():
        if meeting.agenda.filter(pk=appeal.pk).exists():
            return
        meeting.agenda.add(appeal)
        event = AppealEvent.objects.create(
            appeal=appeal,
            created_at=at or timezone.now(),
            actor=by,
            kind=EventKind.AGENDA,
            meeting=meeting,
            from_status=appeal.status,
            to_status=appeal.status,
        )
        count_event(event, appeal)  # counts nothing today; every event is offered


def meeting_close(
    *,
    meeting: Meeting,
    by,
    minutes: str | None = None,
    head_count: int | None = None,
    at: datetime | None = None,
) -> Meeting:
    """Close a meeting: with its minutes and head count (as saved, or given here), its
    outcomes can no longer change."""
    _check_meeting(meeting, by, open_only=False)
    minutes = meeting.minutes if minutes is None else minutes
    head_count = meeting.head_count if head_count is None else head_count
    if not minutes.strip() or head_count is None:
        raise MoveRefused(
            _("A meeting is closed only with minutes and a head count."), Refusal.INVALID
        )
    now = at or timezone.now()
    closed = Meeting.objects.filter(pk=meeting.pk, closed_at__isnull=True).update(
        closed_at=now, minutes=minutes, head_count=head_count
    )
    if not closed:
        raise MoveRefused(_("This meeting is already closed."), Refusal.CONFLICT)
    meeting.closed_at, meeting.minutes, meeting.head_count = now, minutes, head_count
    return meeting


def forum_register_appeals(
    *, meeting: Meeting, rows: list[dict], by, at: datetime | None = None
) -> list[Appeal]:
    """Register many appeals raised at a public sentiment forum at once, each on the forum's
    agenda; rows are the keyword arguments of appeal_submit (estate, category, title, …)."""
    _check_meeting(meeting, by)
    if meeting.type != MeetingType.FORUM:
        raise MoveRefused(
            _("Appeals are registered in bulk at a public sentiment forum."), Refusal.INVALID
        )
    with transaction.atomic():
        return [
            appeal_submit(source=Source.FORUM, by=by, meeting=meeting, at=at, **row) for row in rows
        ]


# --- Department review scores -----------------------------------------------------------


@dataclass(frozen=True)
class ScoresEntered:
    created: int
    corrected: int
    unchanged: int


SCORE_FIELDS = ("attitude", "efficiency", "results")


def _review_row(row: dict, index: int, members: dict, representatives: list[str]) -> dict:
    """One row of a sheet, checked: its reviewer one of the meeting's, its scores 0–100."""

    def refuse(message):
        refused = MoveRefused(message, Refusal.INVALID)
        refused.row = index  # the sheet shows it on its line
        return refused

    member = row.get("member")
    member_id = getattr(member, "pk", member)
    name = (row.get("representative") or "").strip()
    if (member_id is None) == (not name):
        raise refuse(_("Each line is by one party member or one resident representative."))
    if member_id is not None and member_id not in members:
        raise refuse(_("This party member did not attend the meeting."))
    if name and name not in representatives:
        raise refuse(
            _("%(name)s is not among the meeting's resident representatives.") % {"name": name}
        )
    scores = {}
    for field in SCORE_FIELDS:
        value = row.get(field)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise refuse(_("Each score is a whole number from 0 to 100."))
        scores[field] = value
    comment = (row.get("comment") or "").strip()
    if len(comment) > 1000:
        raise refuse(_("A comment is 1,000 characters at most."))
    reviewer = members[member_id] if member_id is not None else name
    return {
        "member_id": member_id,
        "representative": name,
        "reviewer": reviewer,
        "comment": comment,
        **scores,
    }


def review_scores_enter(
    *, meeting: Meeting, department: Department, rows: list[dict], by, at: datetime | None = None
) -> ScoresEntered:
    """Enter a sheet of scores of one department at a department work review meeting: each
    row {"member": Member (or its pk) | "representative": name, "attitude", "efficiency",
    "results": 0–100, "comment"}. The reviewer is an attending party member or a name in the
    meeting's list of resident representatives. All rows are saved or none.

    A reviewer's row entered again for the same department replaces theirs (a correction),
    recorded in the meeting's history (who, when, before and after). Scores may be entered
    after the meeting is closed: the clerk types the paper sheets afterwards."""
    _check_meeting(meeting, by, open_only=False)
    if meeting.type != MeetingType.DEPARTMENT_REVIEW:
        raise MoveRefused(
            _("Departments are scored at a department work review meeting."), Refusal.INVALID
        )
    if not Department.objects.filter(pk=department.pk).exists():
        raise MoveRefused(_("No such department."), Refusal.INVALID)
    members = dict(meeting.attendees.values_list("pk", "name"))
    representatives = representatives_of(meeting)
    checked = [_review_row(row, i, members, representatives) for i, row in enumerate(rows)]
    seen = set()
    for i, row in enumerate(checked):
        key = (row["member_id"], row["representative"])
        if key in seen:
            refused = MoveRefused(
                _("%(name)s is on the sheet twice.") % {"name": row["reviewer"]}, Refusal.INVALID
            )
            refused.row = i
            raise refused
        seen.add(key)
    now = at or timezone.now()
    created = corrected = unchanged = 0
    with transaction.atomic():
        existing = {
            (s.member_id, s.representative): s
            for s in ReviewScore.objects.select_for_update().filter(
                meeting=meeting, department=department
            )
        }
        corrections = []
        for row in checked:
            values = {field: row[field] for field in (*SCORE_FIELDS, "comment")}
            score = existing.get((row["member_id"], row["representative"]))
            if score is None:
                ReviewScore.objects.create(
                    meeting=meeting,
                    department=department,
                    member_id=row["member_id"],
                    representative=row["representative"],
                    entered_by=by,
                    entered_at=now,
                    **values,
                )
                created += 1
                continue
            if all(getattr(score, field) == value for field, value in values.items()):
                unchanged += 1
                continue
            before = "/".join(str(getattr(score, f)) for f in SCORE_FIELDS)
            after = "/".join(str(values[f]) for f in SCORE_FIELDS)
            ReviewScore.objects.filter(pk=score.pk).update(entered_by=by, entered_at=now, **values)
            corrections.append(f"{department.name}: {row['reviewer']} {before} → {after}")
            corrected += 1
        if corrections:
            # The meeting's history page (the admin's) shows who corrected what, and when.
            LogEntry.objects.create(
                user_id=by.pk,
                action_time=now,
                content_type=ContentType.objects.get_for_model(Meeting),
                object_id=str(meeting.pk),
                object_repr=str(meeting)[:200],
                action_flag=CHANGE_FLAG,
                change_message="; ".join(
                    [_("Review scores corrected (attitude/efficiency/results)"), *corrections]
                )[:2000],
            )
    return ScoresEntered(created, corrected, unchanged)
