"""The demo's credits for appeals handled: the first few solved appeals of each Guangda
branch credit two of its members (meetings.credits; the ledger's keys make a second run
count nothing)."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from branches.models import Member

from .credits import appeal_credit_members
from .models import Appeal, ClosureReason, Status

PER_ESTATE = 3


def seed_credit_demo() -> int:
    """Returns how many members were credited by this run."""
    staff = get_user_model().objects.filter(username="guangda").first()
    credited = 0
    solved = (
        Appeal.objects.filter(
            estate__community__name="光达社区",
            status=Status.CLOSED,
            closure_reason=ClosureReason.SOLVED,
        )
        .select_related("estate")
        .order_by("estate_id", "pk")
    )
    seen: dict[int, int] = {}
    for appeal in solved:
        n = seen[appeal.estate_id] = seen.get(appeal.estate_id, 0) + 1
        if n > PER_ESTATE:
            continue
        members = list(
            Member.objects.filter(estate=appeal.estate_id).order_by("pk")[2 * n : 2 * n + 2]
        )
        if not members:
            continue
        credited += appeal_credit_members(
            appeal=appeal,
            members=members,
            by=staff,
            on=timezone.localdate(appeal.closed_at) if appeal.closed_at else None,
        )
    return credited
