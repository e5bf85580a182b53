"""Building groups show their commitments, compare by action (小组亮承诺、楼栋比行动).

Every write of a commitment is a function here; the admin, the demo and the tests call them.
- `commitment_add` / `commitment_change`: a group's commitment for a year (text, due date,
  the members responsible); each sets the reminder's due work (`remind_at`,
  COMMITMENT_REMINDER_DAYS before the due date at 09:00, read by
  governance.commitment_reminders).
- `commitment_progress`: 0–100 %, with evidence text or a photo (private storage, served to
  staff only by the commitment's admin page, through the gate).
- `commitment_verify`: the estate's branch secretary or the community's staff, only at
  100 %; guarded by a conditional UPDATE so two clicks verify once, and each member
  responsible is credited once through the ledger (`commitment:<id>:member:<id>`).

A verified commitment is final: it is neither changed nor reminded. Refusals are
`CommitmentRefused`, with a message for the page."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .ledger import ledger_award
from .models import BuildingGroup, Commitment, ContributionSource, Member, StaffRole
from .scope import ADD, CHANGE, groups_for, in_scope, may, staff_scope

TEXT_LENGTH = Commitment._meta.get_field("text").max_length
EVIDENCE_LENGTH = Commitment._meta.get_field("evidence").max_length
REMIND_AT = time(9, 0)


class CommitmentRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- the states the list filters by ------------------------------------------------------

STATES = [
    ("open", gettext_lazy("open")),
    ("due_soon", gettext_lazy("due soon")),
    ("overdue", gettext_lazy("overdue")),
    ("done", gettext_lazy("done, to verify")),
    ("verified", gettext_lazy("verified")),
]


def state_q(state: str, today: date | None = None) -> Q:
    """A commitment's state as a filter: open (due later), due soon (within the reminder's
    days), overdue (unfinished past its due date), done (100 %, not yet verified), verified."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=settings.COMMITMENT_REMINDER_DAYS)
    unfinished = Q(progress__lt=100, verified_at__isnull=True)
    return {
        "open": unfinished & Q(due_on__gt=soon),
        "due_soon": unfinished & Q(due_on__gte=today, due_on__lte=soon),
        "overdue": unfinished & Q(due_on__lt=today),
        "done": Q(progress=100, verified_at__isnull=True),
        "verified": Q(verified_at__isnull=False),
    }[state]


def state_of(commitment: Commitment, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if commitment.verified_at is not None:
        return "verified"
    if commitment.progress >= 100:
        return "done"
    if commitment.due_on < today:
        return "overdue"
    if commitment.due_on <= today + timedelta(days=settings.COMMITMENT_REMINDER_DAYS):
        return "due_soon"
    return "open"


def remind_at(due_on: date) -> datetime:
    """When the group's leader and the secretary are reminded: COMMITMENT_REMINDER_DAYS
    before the due date, 09:00 local time (already past for one due sooner: the next sweep
    sends it)."""
    day = due_on - timedelta(days=settings.COMMITMENT_REMINDER_DAYS)
    return timezone.make_aware(datetime.combine(day, REMIND_AT))


# --- checks -----------------------------------------------------------------------------


def _may(by, group: BuildingGroup, action: str) -> None:
    if by is None:  # the seed and data loads
        return
    if not in_scope(groups_for, by, group):
        raise CommitmentRefused(_("This group is not in your area."))
    if not may(by, action, Commitment):
        raise CommitmentRefused(_("You can read these commitments but not change them."))


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CommitmentRefused(_("Say what the group commits to."))
    if len(text) > TEXT_LENGTH:
        raise CommitmentRefused(
            _("The commitment is too long: at most %(max)d characters.") % {"max": TEXT_LENGTH}
        )
    return text


def _check_due(due_on: date, year: int) -> None:
    first, last = timezone.localdate().year - 10, timezone.localdate().year + 1
    if not first <= year <= last:  # a mistyped year (and its reminder date out of range)
        raise CommitmentRefused(
            _("A commitment is for a year from %(first)d to %(last)d.")
            % {"first": first, "last": last}
        )
    if due_on is None or due_on.year != year:
        raise CommitmentRefused(
            _("A commitment for %(year)d is due within %(year)d.") % {"year": year}
        )


def _check_members(members, group: BuildingGroup) -> list[Member]:
    members = list(members or [])
    foreign = [m for m in members if m.estate_id != group.estate_id]
    if foreign:
        raise CommitmentRefused(
            _("Not members of %(estate)s: %(names)s.")
            % {"estate": group.estate.name, "names": "、".join(m.name for m in foreign)}
        )
    return members


def commitment_check(*, group: BuildingGroup, year: int, text: str, due_on: date, members=()):
    """Refuses what `commitment_add` refuses, for a form to say so before saving."""
    _clean_text(text)
    _check_due(due_on, year)
    _check_members(members, group)


def _not_verified(commitment: Commitment) -> Commitment:
    """The commitment's row, locked; refused once verified (it is final)."""
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    if locked.verified_at is not None:
        raise CommitmentRefused(_("This commitment is verified: it can no longer be changed."))
    return locked


# --- writes -----------------------------------------------------------------------------


@transaction.atomic
def commitment_add(
    *, group: BuildingGroup, year: int, text: str, due_on: date, members=(), by=None
) -> Commitment:
    """A group's new commitment for `year`, with the members responsible and its reminder."""
    _may(by, group, ADD)
    text = _clean_text(text)
    _check_due(due_on, year)
    members = _check_members(members, group)
    commitment = Commitment.objects.create(
        group=group, year=year, text=text, due_on=due_on, remind_at=remind_at(due_on)
    )
    commitment.members.set(members)
    return commitment


@transaction.atomic
def commitment_change(
    *, commitment: Commitment, text: str, due_on: date, members=(), by=None
) -> Commitment:
    """Another text, due date or set of members responsible, until it is verified. A new
    due date sets the reminder again (it is sent once per due date)."""
    group = commitment.group
    _may(by, group, CHANGE)
    text = _clean_text(text)
    _check_due(due_on, commitment.year)
    members = _check_members(members, group)
    locked = _not_verified(commitment)
    fields = {"text": text, "due_on": due_on}
    if due_on != locked.due_on:
        fields["remind_at"] = remind_at(due_on)
    Commitment.objects.filter(pk=locked.pk).update(**fields)
    commitment.members.set(members)
    commitment.refresh_from_db()
    return commitment


@transaction.atomic
def commitment_progress(
    *, commitment: Commitment, progress: int, evidence: str = "", photo=None, by=None
) -> Commitment:
    """How far the group has got (0–100 %), with what shows it: a text, a photo, or both (a
    new photo replaces the old one; an empty evidence text keeps the one there)."""
    _may(by, commitment.group, CHANGE)
    if progress is None or not 0 <= progress <= 100:
        raise CommitmentRefused(_("Progress is a percentage from 0 to 100."))
    evidence = (evidence or "").strip()
    if len(evidence) > EVIDENCE_LENGTH:
        raise CommitmentRefused(
            _("The evidence is too long: at most %(max)d characters.") % {"max": EVIDENCE_LENGTH}
        )
    locked = _not_verified(commitment)
    locked.progress = progress
    fields = ["progress"]
    if evidence:
        locked.evidence = evidence
        fields.append("evidence")
    if photo is not None:
        old = locked.evidence_photo.name
        locked.evidence_photo.save(photo.name, photo, save=False)
        fields.append("evidence_photo")
        if old:
            name = old
            transaction.on_commit(lambda: Commitment.evidence_photo.field.storage.delete(name))
    locked.save(update_fields=fields)
    return locked


def may_verify(user, commitment: Commitment) -> bool:
    """The estate's branch secretary or the staff of its community (or a superuser); the
    town committee reads only."""
    if user is None:
        return True  # the seed
    if not in_scope(groups_for, user, commitment.group) or not may(user, CHANGE, Commitment):
        return False
    if user.is_superuser:
        return True
    scope = staff_scope(user)
    return scope is not None and scope.role in (
        StaffRole.BRANCH_SECRETARY,
        StaffRole.COMMUNITY_STAFF,
    )


@transaction.atomic
def commitment_verify(*, commitment: Commitment, by=None, at: datetime | None = None) -> int:
    """The secretary checked the evidence: the commitment is kept. Only at 100 %, once; each
    member responsible is credited once (the rule table's points for a commitment). Returns
    how many members were credited now."""
    if not may_verify(by, commitment):
        raise CommitmentRefused(_("Only the branch secretary or community staff verify."))
    now = at or timezone.now()
    won = Commitment.objects.filter(
        pk=commitment.pk, verified_at__isnull=True, progress=100
    ).update(verified_at=now, verified_by=by, remind_at=None)
    if not won:
        current = Commitment.objects.get(pk=commitment.pk)
        if current.verified_at is not None:
            raise CommitmentRefused(_("This commitment is verified already."))
        raise CommitmentRefused(_("Only a finished commitment (progress 100) can be verified."))
    credited = 0
    for member in commitment.members.all():
        entry = ledger_award(
            member=member,
            source=ContributionSource.COMMITMENT,
            key=f"commitment:{commitment.pk}:member:{member.pk}",
            on=timezone.localdate(now),
            by=by,
        )
        credited += entry is not None
    commitment.refresh_from_db()
    return credited
