"""Appeals handled (党员亮身份): crediting the members who handled a solved or closed appeal
in the contribution ledger. Not a move of the appeal (its status does not change, and it
is not in meetings.moves): staff who may add ledger entries choose members of the appeal's
estate, each credited once by the ledger's key `appeal:<id>:member:<id>`, whatever the
number of times the form is sent.

Which appeals: resolved, or closed as solved, declined or unreachable (someone handled
them); not a duplicate or a withdrawn one, which nobody handled."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.ledger import ledger_award
from branches.models import ContributionEntry, ContributionSource, Member
from branches.scope import ADD, in_scope, may, members_for

from .models import Appeal, ClosureReason, Status
from .moves import MoveRefused, Refusal
from .scope import appeals_for

NOT_HANDLED = (ClosureReason.DUPLICATE, ClosureReason.WITHDRAWN)


def credit_key(appeal_id: int, member_id: int) -> str:
    return f"appeal:{appeal_id}:member:{member_id}"


def appeal_creditable(appeal: Appeal) -> bool:
    """Was the appeal handled to an end (resolved, or closed other than as a duplicate or
    withdrawn)?"""
    if appeal.status == Status.RESOLVED:
        return True
    return appeal.status == Status.CLOSED and appeal.closure_reason not in NOT_HANDLED


def appeal_credit_open(*, appeal: Appeal, user) -> bool:
    """May `user` credit members for this appeal now?"""
    return (
        appeal_creditable(appeal)
        and may(user, ADD, ContributionEntry)
        and in_scope(appeals_for, user, appeal)
    )


def appeal_credit_choices(*, appeal: Appeal, user):
    """The members who may be credited: active members of the appeal's estate, in scope."""
    return members_for(user).filter(estate=appeal.estate_id, active=True).order_by("name")


def appeal_credited(*, appeal: Appeal) -> list[Member]:
    """The members credited for this appeal so far (one query)."""
    keys = ContributionEntry.objects.filter(
        source=ContributionSource.APPEAL, key__startswith=f"appeal:{appeal.pk}:member:"
    )
    return list(Member.objects.filter(pk__in=keys.values("member")).order_by("name"))


@transaction.atomic
def appeal_credit_members(*, appeal: Appeal, members, by=None, on: date | None = None) -> int:
    """Credit each member who handled the appeal, once (the rule table's points for an
    appeal). Returns how many were credited now (one already credited counts nothing)."""
    if by is not None and not in_scope(appeals_for, by, appeal):
        raise MoveRefused(_("This appeal is not in your area."), Refusal.NOT_FOUND)
    if by is not None and not may(by, ADD, ContributionEntry):
        raise MoveRefused(_("You can read the ledger but not add to it."), Refusal.NOT_ALLOWED)
    if not appeal_creditable(appeal):
        raise MoveRefused(
            _("Only the members who handled a resolved or closed appeal are credited."),
            Refusal.CONFLICT,
        )
    members = list(members)
    if not members:
        raise MoveRefused(_("Choose the members who handled it."), Refusal.INVALID)
    foreign = [m.name for m in members if m.estate_id != appeal.estate_id]
    if foreign:
        raise MoveRefused(
            _("Not members of the appeal's estate: %(names)s.") % {"names": "、".join(foreign)},
            Refusal.INVALID,
        )
    on = on or timezone.localdate()
    credited = 0
    for member in members:
        entry = ledger_award(
            member=member,
            source=ContributionSource.APPEAL,
            key=credit_key(appeal.pk, member.pk),
            on=on,
            by=by,
        )
        credited += entry is not None
    return credited
