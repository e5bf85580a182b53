"""Organisational life (组织生活正常化, the second standard): the branch's and the building
groups' regular meetings with their attendance, and the periods in which each kind of meeting
is expected.

Every write is one of `org_meeting_record`, `org_meeting_change`, `org_meeting_delete`. A
member present is credited in the contribution ledger once per meeting
(`ledger_award(source="meeting", key="meeting:<id>:member:<member id>")`); marked absent or
taken off the list, the credit is withdrawn (a correction, the ledger being append-only);
present again, credited again under the next key (`…:member:<id>:2`, `:3`, …), so nothing is
counted twice and nothing is lost. A meeting moved to another day has its credits withdrawn
and given again on the new day, so the points fall in the year the meeting was held.

**Periods.** A kind expected every N months (N divides 12) is expected once in each calendar
period of N months counted from January, in local time (Asia/Shanghai): monthly, each month;
quarterly, January–March, April–June, …; yearly, each calendar year. A meeting counts for the
period its local time falls in (31 March 23:30 in Shanghai, 15:30 UTC, is March's). Only a
period that has ended can be missed: `last_completed_period` is the one flagged."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .ledger import ledger_award, ledger_withdraw, rule_points
from .models import (
    BuildingGroup,
    ContributionEntry,
    ContributionSource,
    Estate,
    Member,
    OrgAttendance,
    OrgMeeting,
    OrgMeetingKind,
)
from .scope import ADD, CHANGE, DELETE, estates_for, may

# --- Periods ----------------------------------------------------------------------------


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _month_start(index: int) -> datetime:
    """The local midnight starting month number `index` (year * 12 + month - 1)."""
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=local_zone())


def last_completed_period(every_months: int, now: datetime | None = None):
    """(start, end) of the last period of `every_months` months that has ended by `now`:
    aware datetimes at local midnight, the end excluded."""
    local = timezone.localtime(now or timezone.now(), local_zone())
    index = local.year * 12 + local.month - 1
    current = index - index % every_months
    return _month_start(current - every_months), _month_start(current)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """A local calendar year as aware datetimes, the end excluded."""
    return _month_start(year * 12), _month_start((year + 1) * 12)


def period_label(start: datetime, end: datetime) -> str:
    """The period as "2026-03" (a month) or "2026-01 – 2026-03", in any language."""
    last = _month_start(end.year * 12 + end.month - 2)
    if (start.year, start.month) == (last.year, last.month):
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m} – {last:%Y-%m}"


# --- Meetings and their attendance ------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    """One member expected at a meeting: present, or absent with the reason."""

    member: Member
    present: bool = True
    reason: str = ""


def _require(by, action, estate: Estate) -> None:
    """`by` (None: the seed, a task) may do `action` on meetings of `estate`."""
    if by is None:
        return
    if not may(by, action, OrgMeeting) or not estates_for(by).filter(pk=estate.pk).exists():
        raise PermissionDenied(_("You cannot record meetings of this branch."))


def _clean_attendance(estate: Estate, attendance) -> list[Attendance]:
    rows = [a if isinstance(a, Attendance) else Attendance(*a) for a in attendance]
    errors = []
    seen = set()
    for row in rows:
        if row.member.estate_id != estate.pk:
            errors.append(
                _("%(member)s is not a member of this branch.") % {"member": row.member.name}
            )
        if row.member.pk in seen:
            errors.append(_("%(member)s is listed twice.") % {"member": row.member.name})
        seen.add(row.member.pk)
        if not row.present and not row.reason.strip():
            errors.append(
                _("%(member)s is absent: say why (the reason for absence).")
                % {"member": row.member.name}
            )
    if errors:
        raise ValidationError(errors)
    return [Attendance(r.member, r.present, "" if r.present else r.reason.strip()) for r in rows]


def _credit_keys(meeting: OrgMeeting, member_ids) -> dict[int, tuple[int, bool]]:
    """{member id: (the latest credit number, whether it was withdrawn)} for a meeting and
    the members who were on its list, from the ledger keys
    `meeting:<id>:member:<m>[:<n>][:withdrawn]` (one query, by the members' index)."""
    prefix = f"meeting:{meeting.pk}:member:"
    found: dict[int, tuple[int, bool]] = {}
    if not member_ids:
        return found
    keys = ContributionEntry.objects.filter(
        member__in=list(member_ids), key__startswith=prefix
    ).values_list("key", flat=True)
    for key in keys:
        parts = key[len(prefix) :].split(":")
        withdrawn = parts[-1] == "withdrawn"
        if withdrawn:
            parts = parts[:-1]
        member_id, number = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1
        latest, was_withdrawn = found.get(member_id, (0, False))
        if number > latest:
            found[member_id] = (number, withdrawn)
        elif number == latest:
            found[member_id] = (number, was_withdrawn or withdrawn)
    return found


def _credit_key(meeting: OrgMeeting, member_id: int, number: int) -> str:
    base = f"meeting:{meeting.pk}:member:{member_id}"
    return base if number == 1 else f"{base}:{number}"


# Why a credit is withdrawn, written in the ledger in the site's language (Chinese).
ABSENT = gettext_noop("Absent from the meeting, or taken off its list")
MOVED = gettext_noop("The meeting's date changed")
DELETED = gettext_noop("The meeting was deleted")


def _withdraw_reason(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the ledger is kept in Chinese
        return _(text)


def _settle_credits(
    meeting: OrgMeeting, *, by, reason: str, listed_before=(), again: bool = False
) -> None:
    """Make the ledger agree with the attendance: a credit for each member present, none for
    anyone else (`listed_before`: the members on the list before this change, whose credits
    may need withdrawing). `again` withdraws every credit first (the meeting's day changed)."""
    on = timezone.localtime(meeting.held_at, local_zone()).date()
    present = set(meeting.attendance.filter(present=True).values_list("member_id", flat=True))
    credits = _credit_keys(meeting, set(listed_before) | present)
    for member_id, (number, withdrawn) in credits.items():
        if not withdrawn and (again or member_id not in present):
            ledger_withdraw(
                key=_credit_key(meeting, member_id, number), reason=_withdraw_reason(reason), by=by
            )
            credits[member_id] = (number, True)
    due = [m for m in sorted(present) if credits.get(m, (0, True))[1]]
    if not due:
        return
    members = Member.objects.in_bulk(due)
    points = rule_points(ContributionSource.MEETING)  # read once for the whole list
    for member_id in due:
        number = credits.get(member_id, (0, True))[0]
        ledger_award(
            member=members[member_id],
            source=ContributionSource.MEETING,
            key=_credit_key(meeting, member_id, number + 1),
            on=on,
            points=points,
            by=by,
        )


def _full_clean(meeting: OrgMeeting) -> None:
    try:
        meeting.full_clean(exclude=["recorded_by"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


def _listed(meeting: OrgMeeting) -> set[int]:
    return set(OrgAttendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))


def _write_attendance(meeting: OrgMeeting, rows: list[Attendance]) -> None:
    wanted = {r.member.pk: r for r in rows}
    OrgAttendance.objects.filter(meeting=meeting).exclude(member__in=wanted).delete()
    have = {a.member_id: a for a in OrgAttendance.objects.filter(meeting=meeting)}
    changed = []
    for member_id, row in wanted.items():
        old = have.get(member_id)
        if old is None:
            continue
        if (old.present, old.absence_reason) != (row.present, row.reason):
            old.present, old.absence_reason = row.present, row.reason
            changed.append(old)
    OrgAttendance.objects.bulk_update(changed, ["present", "absence_reason"])
    OrgAttendance.objects.bulk_create(
        OrgAttendance(meeting=meeting, member=r.member, present=r.present, absence_reason=r.reason)
        for member_id, r in wanted.items()
        if member_id not in have
    )


@transaction.atomic
def org_meeting_record(
    *,
    estate: Estate,
    kind: OrgMeetingKind,
    held_at: datetime,
    topic: str,
    group: BuildingGroup | None = None,
    place: str = "",
    minutes: str = "",
    attendance=(),
    by=None,
) -> OrgMeeting:
    """Record a meeting held (a group's meeting names its group) with who attended, and
    credit each member present."""
    _require(by, ADD, estate)
    meeting = OrgMeeting(
        estate=estate,
        group=group,
        kind=kind,
        held_at=held_at,
        topic=topic.strip(),
        place=place.strip(),
        minutes=minutes,
        recorded_by=by,
    )
    _full_clean(meeting)
    rows = _clean_attendance(estate, attendance)
    meeting.save()
    _write_attendance(meeting, rows)
    _settle_credits(meeting, by=by, reason=ABSENT)  # a new meeting: no credit yet
    return meeting


CHANGEABLE = ("group", "kind", "held_at", "topic", "place", "minutes")


@transaction.atomic
def org_meeting_change(*, meeting: OrgMeeting, attendance=None, by=None, **fields) -> OrgMeeting:
    """Change a meeting's details (not its branch) and, when `attendance` is given, the
    whole list of who was expected; the ledger follows (see the module)."""
    _require(by, CHANGE, meeting.estate)
    unknown = set(fields) - set(CHANGEABLE)
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    meeting = OrgMeeting.objects.select_for_update().get(pk=meeting.pk)
    day_before = timezone.localtime(meeting.held_at, local_zone()).date()
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if name in ("topic", "place") else value)
    _full_clean(meeting)
    rows = None if attendance is None else _clean_attendance(meeting.estate, attendance)
    listed_before = _listed(meeting)
    meeting.save()
    if rows is not None:
        _write_attendance(meeting, rows)
    moved = timezone.localtime(meeting.held_at, local_zone()).date() != day_before
    _settle_credits(
        meeting,
        by=by,
        listed_before=listed_before,
        again=moved,
        reason=MOVED if moved else ABSENT,
    )
    return meeting


@transaction.atomic
def org_meeting_delete(*, meeting: OrgMeeting, by=None) -> None:
    """Delete a meeting recorded by mistake: its credits are withdrawn, its attendance goes."""
    _require(by, DELETE, meeting.estate)
    listed_before = _listed(meeting)
    OrgAttendance.objects.filter(meeting=meeting).delete()
    _settle_credits(meeting, by=by, listed_before=listed_before, reason=DELETED)
    meeting.delete()


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, local_zone()).date()
