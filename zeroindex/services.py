"""Every write to the Five Zeros' records, one function per move. The admin, the seed, tasks
and tests call these; each checks who may, guards the current status with a conditional
UPDATE (of two clerks verifying and dismissing at once, exactly one wins) and writes its
event in the same transaction.

Refusals are `meetings.moves.MoveRefused`, as for appeals: a message for the person who
tried and a kind (not allowed, not found, conflict, invalid)."""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Building, Estate, StaffRole
from branches.scope import ADD, CHANGE, estates_for, in_scope, may, staff_scope
from meetings.models import Appeal
from meetings.moves import MoveRefused, Refusal

from .models import (
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentEventKind,
    IncidentSource,
    IncidentStatus,
    RecordsStart,
)

# How far ahead of the server's clock an incident may be dated (clocks of phones differ).
CLOCK_SLACK = timedelta(minutes=5)


def _require(by, action: str, model, estate: Estate, *, out_of_scope: str) -> None:
    if by is None:  # the seed and data loads
        return
    if not in_scope(estates_for, by, estate):
        raise MoveRefused(out_of_scope, Refusal.NOT_FOUND)
    if not may(by, action, model):
        raise MoveRefused(_("You can read these records but not change them."), Refusal.NOT_ALLOWED)


def may_verify(user) -> bool:
    """Community staff (and superusers) verify and dismiss; the estate's own secretary
    records but does not judge its own zero."""
    if not may(user, CHANGE, Incident):
        return False
    if user.is_superuser:
        return True
    scope = staff_scope(user)
    return scope is not None and scope.role == StaffRole.COMMUNITY_STAFF


@transaction.atomic
def incident_record(
    *,
    estate: Estate,
    category: str,
    occurred_at: datetime,
    description: str,
    source: str = IncidentSource.STAFF,
    building: Building | None = None,
    appeal: Appeal | None = None,
    by=None,
    at: datetime | None = None,
) -> Incident:
    """Record an incident (awaiting verification). `at` backdates the record (seed only)."""
    _require(
        by, ADD, Incident, estate, out_of_scope=_("You cannot record incidents for this estate.")
    )
    now = at or timezone.now()
    if category not in IncidentCategory.values:
        raise MoveRefused(_("Choose one of the five categories."), Refusal.INVALID)
    if source not in IncidentSource.values:
        raise MoveRefused(_("Choose where the report came from."), Refusal.INVALID)
    if building is not None and building.estate_id != estate.pk:
        raise MoveRefused(_("This building is not in the chosen estate."), Refusal.INVALID)
    if appeal is not None and appeal.estate_id != estate.pk:
        raise MoveRefused(_("The linked appeal is of another estate."), Refusal.INVALID)
    if occurred_at > now + CLOCK_SLACK:
        raise MoveRefused(_("An incident cannot be in the future."), Refusal.INVALID)
    if not description.strip():
        raise MoveRefused(_("Say what happened."), Refusal.INVALID)
    incident = Incident.objects.create(
        estate=estate,
        building=building,
        category=category,
        occurred_at=occurred_at,
        description=description.strip(),
        source=source,
        appeal=appeal,
        recorded_by=by,
        recorded_at=now,
    )
    IncidentEvent.objects.create(
        incident=incident,
        kind=IncidentEventKind.RECORDED,
        actor=by,
        created_at=now,
        data={
            "category": category,
            "estate": estate.pk,
            "building": building.pk if building else None,
            "occurred_at": occurred_at.isoformat(),
            "source": source,
            "appeal": appeal.pk if appeal else None,
        },
    )
    return incident


def _judge(incident: Incident, by, *, to: str, fields: dict, now, data: dict) -> Incident:
    if by is not None:
        _require(
            by,
            CHANGE,
            Incident,
            incident.estate,
            out_of_scope=_("This incident is not in your area."),
        )
        if not may_verify(by):
            raise MoveRefused(
                _("Community staff verify or dismiss incidents; a branch only records them."),
                Refusal.NOT_ALLOWED,
            )
    won = Incident.objects.filter(pk=incident.pk, status=IncidentStatus.PENDING).update(
        status=to, **fields
    )
    if not won:
        incident.refresh_from_db()
        raise MoveRefused(
            _("This incident is already %(status)s.") % {"status": incident.get_status_display()},
            Refusal.CONFLICT,
        )
    IncidentEvent.objects.create(incident=incident, kind=to, actor=by, created_at=now, data=data)
    incident.refresh_from_db()
    return incident


@transaction.atomic
def incident_verify(*, incident: Incident, by=None, at: datetime | None = None) -> Incident:
    """Confirm an incident: from now on it breaks its estate's (and building's) zero."""
    now = at or timezone.now()
    return _judge(
        incident,
        by,
        to=IncidentStatus.VERIFIED,
        fields={"verified_by": by, "verified_at": now},
        now=now,
        data={},
    )


@transaction.atomic
def incident_dismiss(
    *, incident: Incident, reason: str, by=None, at: datetime | None = None
) -> Incident:
    """Set an incident aside (a false report, a duplicate, outside the estate), saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise MoveRefused(_("Say why the incident is dismissed."), Refusal.INVALID)
    now = at or timezone.now()
    return _judge(
        incident,
        by,
        to=IncidentStatus.DISMISSED,
        fields={"dismissed_by": by, "dismissed_at": now, "dismissal_reason": reason},
        now=now,
        data={"reason": reason},
    )


@transaction.atomic
def records_start_set(*, estate: Estate, month: date, by=None) -> RecordsStart:
    """Set the first month of an estate's five-zero records (earlier months are unknown)."""
    _require(
        by,
        CHANGE,
        RecordsStart,
        estate,
        out_of_scope=_("You cannot set the records start of this estate."),
    )
    first = month.replace(day=1)
    if first > timezone.localdate():
        raise MoveRefused(_("Records cannot start in a future month."), Refusal.INVALID)
    start, _created = RecordsStart.objects.update_or_create(
        estate=estate, defaults={"month": first}
    )
    return start
