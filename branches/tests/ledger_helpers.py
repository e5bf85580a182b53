"""Shared pieces of the ledger part's tests (the `world` personas come from conftest.py)."""

from datetime import date

from django.db.models import Sum
from django.utils import timezone

from branches.commitments import commitment_add, commitment_progress
from branches.models import ContributionEntry


def total(member) -> int:
    return ContributionEntry.objects.filter(member=member).aggregate(t=Sum("points"))["t"] or 0


def this_year() -> int:
    return timezone.localdate().year


def due_in_year(day: int = 28, month: int = 12) -> date:
    return date(this_year(), month, day)


def not_found(response) -> bool:
    """The admin's answer to an object outside the scope: its redirect with a message, or 404."""
    return response.status_code == 404 or (
        response.status_code == 302 and "/admin/" in response.url
    )


def commitment_for(world, *, progress=0, members=None, due_on=None, group=None):
    group = group or world.a_group
    commitment = commitment_add(
        group=group,
        year=(due_on or due_in_year()).year,
        text="楼道堆物每月清理一次",
        due_on=due_on or due_in_year(),
        members=members if members is not None else [world.a_member],
    )
    if progress:
        commitment = commitment_progress(commitment=commitment, progress=progress)
    return commitment
