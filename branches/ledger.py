"""The contribution ledger (党员亮身份、服务比贡献) and the consent to a public card.

Every entry is written here. An entry has a `key` naming its source once
(`session:12:member:5`, `meeting:7:member:5`, `appeal:31:member:5`, `commitment:4:member:5`,
`manual:<uuid>`), so whatever writes the same source twice (a re-saved session, a task run
twice, a form sent twice) counts it once. The points come from the rule table
(`ContributionRule`) unless an award gives its own. Nothing edits an entry (the database
refuses): a correction is a new entry pointing at the one it corrects."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ContributionEntry, ContributionRule, ContributionSource, Member, MemberConsent


def rule_points(source: str) -> int:
    return (
        ContributionRule.objects.filter(source=source).values_list("points", flat=True).first() or 0
    )


def ledger_award(
    *,
    member: Member,
    source: str,
    key: str,
    on: date,
    points: int | None = None,
    reason: str = "",
    by=None,
) -> ContributionEntry | None:
    """Credit `member` for `source` once: returns the new entry, or None when `key` was
    already counted (or the rule gives no points)."""
    if source == ContributionSource.CORRECTION:
        raise ValueError("a correction is made by ledger_correct")
    if points is None:
        points = rule_points(source)
    if points == 0:
        return None
    if source == ContributionSource.MANUAL and not reason.strip():
        raise ValidationError({"reason": _("An award needs its reason.")})
    try:
        with transaction.atomic():
            return ContributionEntry.objects.create(
                member=member,
                on=on,
                source=source,
                points=points,
                key=key,
                reason=reason.strip(),
                recorded_by=by,
            )
    except IntegrityError:
        if ContributionEntry.objects.filter(key=key).exists():
            return None  # counted already: the same source never counts twice
        raise


def ledger_correct(*, entry: ContributionEntry, points: int, reason: str, by=None, key=None):
    """A new entry that changes `entry`'s member's total by `points` (say -entry.points to
    cancel it), with the reason. `key` makes a correction sent twice count once (a form's
    token); without one, each call is a correction of its own."""
    if not reason.strip():
        raise ValidationError({"reason": _("A correction needs its reason.")})
    if points == 0:
        raise ValidationError({"points": _("A correction changes the points.")})
    if key is None:
        key = (
            f"correction:{entry.pk}:{ContributionEntry.objects.filter(corrects=entry).count() + 1}"
        )
    try:
        with transaction.atomic():
            return ContributionEntry.objects.create(
                member_id=entry.member_id,
                on=timezone.localdate(),
                source=ContributionSource.CORRECTION,
                points=points,
                key=key,
                reason=reason.strip(),
                corrects=entry,
                recorded_by=by,
            )
    except IntegrityError:
        if ContributionEntry.objects.filter(key=key).exists():
            return None
        raise


def ledger_withdraw(*, key: str, reason: str, by=None):
    """Cancel what the entry `key` counted (a member taken off a session after it was saved),
    once: the correction's key is `key` + ':withdrawn'. Nothing when it was never counted."""
    entry = ContributionEntry.objects.filter(key=key).first()
    if entry is None:
        return None
    return ledger_correct(
        entry=entry, points=-entry.points, reason=reason, by=by, key=f"{key}:withdrawn"
    )


@transaction.atomic
def member_consent_set(*, member: Member, given: bool, on: date | None = None, by=None):
    """Record a member's consent to a public card, or its withdrawal, with the date; the
    member's `card_consent_on` says what is in force (public pages filter on it)."""
    on = on or timezone.localdate()
    MemberConsent.objects.create(member=member, given=given, on=on, recorded_by=by)
    Member.objects.filter(pk=member.pk).update(card_consent_on=on if given else None)
    member.card_consent_on = on if given else None
