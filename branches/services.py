"""Writes to the organisation tree that touch more than one row."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Building, BuildingGroup, GroupBuilding, Member, StaffPreference, StaffScope


@transaction.atomic
def group_set_buildings(*, group: BuildingGroup, buildings: Iterable[Building]) -> None:
    """Make `group` cover exactly `buildings`, all of its own estate and of no other group."""
    buildings = list(buildings)
    foreign = [b for b in buildings if b.estate_id != group.estate_id]
    if foreign:
        raise ValidationError(
            _("%(buildings)s not in the group's estate %(estate)s.")
            % {"buildings": ", ".join(str(b) for b in foreign), "estate": group.estate}
        )
    taken = list(
        GroupBuilding.objects.filter(building__in=buildings)
        .exclude(group=group)
        .select_related("building__estate", "group__estate")
    )
    if taken:
        raise ValidationError(
            _("Already covered by another group: %(pairs)s.")
            % {"pairs": ", ".join(f"{link.building} ({link.group.name})" for link in taken)}
        )
    GroupBuilding.objects.filter(group=group).exclude(building__in=buildings).delete()
    have = set(GroupBuilding.objects.filter(group=group).values_list("building_id", flat=True))
    GroupBuilding.objects.bulk_create(
        GroupBuilding(group=group, building=b) for b in buildings if b.pk not in have
    )


@transaction.atomic
def group_set_leader(*, group: BuildingGroup, member: Member | None) -> None:
    """Make `member` (a member of `group`) its only leader, or leave the group without one."""
    if member is not None and member.group_id != group.pk:
        raise ValidationError(
            _("%(member)s is not a member of %(group)s.") % {"member": member, "group": group}
        )
    # Step down first: the database allows one leader per group at any moment.
    Member.objects.filter(group=group, is_leader=True).exclude(
        pk=getattr(member, "pk", None)
    ).update(is_leader=False)
    if member is not None and not member.is_leader:
        member.is_leader = True
        member.save(update_fields=["is_leader"])


@transaction.atomic
def group_delete(*, group: BuildingGroup) -> None:
    """Delete a group; its members stay in the estate, without a group (and without a leader,
    which needs a group)."""
    Member.objects.filter(group=group).update(is_leader=False, group=None)
    group.delete()


def staff_language_set(*, user, language: str) -> None:
    """Remember the language a staff user chose (for their messages); anything but a
    language of the site, or a user who is not staff, is ignored."""
    if not (user.is_authenticated and user.is_staff):
        return
    if language not in dict(settings.LANGUAGES):
        return
    StaffPreference.objects.update_or_create(user=user, defaults={"language": language})


def staff_account_activate(*, user) -> None:
    """A user with a scope is staff, so the account can log in to the workspace; one whose
    scope was taken away keeps the flag (a superuser decides), but the gate gives it nothing."""
    if StaffScope.objects.filter(user=user).exists() and not user.is_staff:
        type(user).objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
