"""The party–masses service station (党群服务站): opening a station and recording its service
sessions. Every write of a station's sessions goes through these functions (the admin's
form, the week grid, the demo and the tests call them).

A member who served at a session is credited in the contribution ledger, once, under the
key `session:<id>:member:<member id>` (branches.ledger). A member taken off a session, or a
session deleted, is withdrawn (`ledger_withdraw`: a correction of its own, never an edit).
A member put back on a session after that is credited again under the next round's key,
`session:<id>:member:<member id>:2` (then `:3` …): nothing counts twice, nothing is lost."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .ledger import ledger_award, ledger_withdraw
from .models import (
    DEFAULT_FACILITIES,
    ContributionEntry,
    ContributionSource,
    Estate,
    Facility,
    Member,
    ServiceKind,
    ServiceSession,
    ServiceStation,
    Volunteer,
)

FUTURE_SESSION = _("This session has not happened yet: record a session once it has been held.")
FACILITY_ELSEWHERE = _("This facility belongs to another station.")


def station_open(
    *, estate: Estate, location: str, opening_hours: str, note: str = ""
) -> ServiceStation:
    """The estate's station, opened now if it has none, with the case's facilities (each
    open) when it has none yet. An estate's station that exists is returned as it is."""
    with transaction.atomic():
        station, _created = ServiceStation.objects.get_or_create(
            estate=estate,
            defaults={"location": location, "opening_hours": opening_hours, "note": note},
        )
        if not station.facilities.exists():
            Facility.objects.bulk_create(
                Facility(station=station, name=name, name_en=name_en, position=position)
                for position, (name, name_en) in enumerate(DEFAULT_FACILITIES)
            )
    return station


def session_problems(
    *,
    station: ServiceStation,
    facility: Facility | None,
    starts_at: datetime | None,
    members: Iterable[Member] = (),
    volunteers: Iterable[Volunteer] = (),
    now: datetime | None = None,
) -> dict[str, str]:
    """What is wrong with a session, field by field (empty: nothing). The forms show these
    beside the fields; the services refuse with them."""
    problems = {}
    if facility is not None and facility.station_id != station.pk:
        problems["facility"] = FACILITY_ELSEWHERE
    if starts_at is not None and starts_at > (now or timezone.now()):
        problems["starts_at"] = FUTURE_SESSION
    strangers = [m.name for m in members if m.estate_id != station.estate_id]
    if strangers:
        problems["members"] = _("Only members of this station's estate serve at it: %(names)s.") % {
            "names": "、".join(strangers)
        }
    outsiders = [v.name for v in volunteers if v.estate_id != station.estate_id]
    if outsiders:
        problems["volunteers"] = _(
            "Only this estate's volunteers serve at its station: %(names)s."
        ) % {"names": "、".join(outsiders)}
    return problems


def _check(**facts) -> None:
    problems = session_problems(**facts)
    if problems:
        raise ValidationError({field: [message] for field, message in problems.items()})


def _reason(text, **params) -> str:
    """Stored in the site's language (the ledger's reasons are data, not pages)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text) % params


def _base_key(session_id: int, member_id: int) -> str:
    return f"session:{session_id}:member:{member_id}"


def _credited(session_id: int) -> dict[int, list[str]]:
    """{member id: the session's credit keys for that member, oldest round first}."""
    found: dict[int, list[tuple[int, str]]] = {}
    for key in ContributionEntry.objects.filter(
        source=ContributionSource.SESSION, key__startswith=f"session:{session_id}:member:"
    ).values_list("key", flat=True):
        parts = key.split(":")
        if len(parts) not in (4, 5) or parts[1] != str(session_id):
            continue
        found.setdefault(int(parts[3]), []).append((int(parts[4]) if len(parts) == 5 else 1, key))
    return {member: [k for _n, k in sorted(keys)] for member, keys in found.items()}


def _credit(session: ServiceSession, members: Iterable[Member], by) -> None:
    if not members:
        return
    credited = _credited(session.pk)
    on = timezone.localdate(session.starts_at)
    for member in members:
        rounds = credited.get(member.pk, [])
        key = _base_key(session.pk, member.pk)
        if rounds:
            key = f"{key}:{len(rounds) + 1}"
        ledger_award(member=member, source=ContributionSource.SESSION, key=key, on=on, by=by)


def _withdraw(session: ServiceSession, member_ids: Iterable[int], by, reason: str) -> None:
    member_ids = list(member_ids)
    if not member_ids:
        return
    credited = _credited(session.pk)
    for member_id in member_ids:
        rounds = credited.get(member_id)
        if rounds:  # the latest round's credit; withdrawing it twice counts once
            ledger_withdraw(key=rounds[-1], reason=reason, by=by)


@transaction.atomic
def session_record(
    *,
    station: ServiceStation,
    facility: Facility,
    kind: ServiceKind,
    starts_at: datetime,
    people_served: int,
    minutes: int = 120,
    members: Iterable[Member] = (),
    volunteers: Iterable[Volunteer] = (),
    note: str = "",
    by=None,
    now: datetime | None = None,
) -> ServiceSession:
    """Record a session held at `station` (never one still to come), who served, and credit
    each member who served."""
    members, volunteers = list(members), list(volunteers)
    _check(
        station=station,
        facility=facility,
        starts_at=starts_at,
        members=members,
        volunteers=volunteers,
        now=now,
    )
    session = ServiceSession(
        station=station,
        facility=facility,
        kind=kind,
        starts_at=starts_at,
        minutes=minutes,
        people_served=people_served,
        note=note,
        recorded_by=by,
    )
    session.full_clean(exclude=["facility", "station", "kind", "recorded_by"])
    session.save()
    session.members.set(members)
    session.volunteers.set(volunteers)
    _credit(session, members, by)
    return session


@transaction.atomic
def session_change(
    *,
    session: ServiceSession,
    facility: Facility,
    kind: ServiceKind,
    starts_at: datetime,
    people_served: int,
    minutes: int,
    members: Iterable[Member],
    volunteers: Iterable[Volunteer],
    note: str = "",
    by=None,
    now: datetime | None = None,
) -> ServiceSession:
    """Change a recorded session. Members taken off it are withdrawn from the ledger, those
    added (or put back) are credited."""
    session = (
        ServiceSession.objects.select_for_update().select_related("station").get(pk=session.pk)
    )
    members, volunteers = list(members), list(volunteers)
    _check(
        station=session.station,
        facility=facility,
        starts_at=starts_at,
        members=members,
        volunteers=volunteers,
        now=now,
    )
    before = set(session.members.values_list("pk", flat=True))
    after = {m.pk for m in members}
    session.facility, session.kind, session.starts_at = facility, kind, starts_at
    session.people_served, session.minutes, session.note = people_served, minutes, note
    session.full_clean(exclude=["facility", "station", "kind", "recorded_by"])
    session.save(
        update_fields=["facility", "kind", "starts_at", "people_served", "minutes", "note"]
    )
    session.members.set(members)
    session.volunteers.set(volunteers)
    _withdraw(
        session,
        sorted(before - after),
        by,
        _reason(_("Taken off service session %(id)s"), id=session.pk),
    )
    _credit(session, [m for m in members if m.pk not in before], by)
    return session


@transaction.atomic
def session_delete(*, session: ServiceSession, by=None) -> None:
    """Delete a session recorded by mistake; its members' credits are withdrawn."""
    member_ids = list(session.members.values_list("pk", flat=True))
    _withdraw(
        session,
        member_ids,
        by,
        _reason(_("Service session %(id)s deleted"), id=session.pk),
    )
    session.members.clear()
    session.volunteers.clear()
    session.delete()
