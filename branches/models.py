"""Places and people: town → community → estate (its party branch) → building → group → member,
and the staff scope that says which part of that tree a staff user works in."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .names import LocalizedName, english_name, unique_english_name
from .phones import (
    OFFICE_PHONE,
    OFFICE_PHONE_MAX,
    mask_phone,
    validate_mainland_mobile,
    validate_office_phone,
)


class Town(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    county = models.CharField(_("county"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(models.Model):
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="communities", verbose_name=_("town")
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(
        _("office telephone"),
        max_length=OFFICE_PHONE_MAX,
        blank=True,
        validators=[validate_office_phone],
        help_text=_(
            "Public: shown to residents who lost their tracking code, for example 0731-84012345."
        ),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="community_name_unique_in_town"),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=OFFICE_PHONE),
                name="community_phone_format",
                violation_error_message=_("This is not a telephone number."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def phone_uri(self) -> str:
        """tel:073184012345, for a link a phone dials."""
        return "tel:" + re.sub(r"[^0-9+]", "", self.phone) if self.phone else ""


class Estate(models.Model):
    """A residential estate and its party branch (one branch per estate)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="estates", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    branch_name = models.CharField(_("party branch"), max_length=100, blank=True)
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estates_as_secretary",
        verbose_name=_("branch secretary"),
    )
    branch_founded = models.DateField(_("branch founded"), null=True, blank=True)

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="estate_name_unique_in_community"
            ),
        ]

    def __str__(self):
        return self.name


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("For example “3栋” or “A座”."))

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["estate__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"], name="building_name_unique_in_estate"
            ),
        ]

    def __str__(self):
        return f"{self.estate.name} {self.name}"


class MemberCategory(LocalizedName):
    """How the branch manages a member (directly managed, in-service, retired, …); editable,
    with a name per language (branches.names)."""

    name = models.CharField(_("Chinese name"), max_length=50, unique=True)
    name_en = english_name()
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("member category")
        verbose_name_plural = _("member categories")
        ordering = ["position", "name"]
        constraints = [unique_english_name("membercategory")]


class BuildingGroup(models.Model):
    """A building party group: covers one or more buildings of its estate, led by a member."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="groups", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=100)
    buildings = models.ManyToManyField(
        Building,
        through="GroupBuilding",
        related_name="groups",
        verbose_name=_("buildings"),
        blank=True,
    )

    class Meta:
        verbose_name = _("building group")
        verbose_name_plural = _("building groups")
        ordering = ["estate__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "name"], name="group_name_unique_in_estate"),
        ]

    def __str__(self):
        return f"{self.estate.name} {self.name}"


class GroupBuilding(models.Model):
    """A building covered by a group. A building has at most one group, of its own estate
    (the estate rule is a database trigger: see migration 0002)."""

    group = models.ForeignKey(BuildingGroup, on_delete=models.CASCADE, verbose_name=_("group"))
    building = models.ForeignKey(Building, on_delete=models.CASCADE, verbose_name=_("building"))

    class Meta:
        verbose_name = _("group building")
        verbose_name_plural = _("group buildings")
        constraints = [
            models.UniqueConstraint(fields=["building"], name="building_in_one_group"),
        ]

    def __str__(self):
        return f"{self.group} – {self.building.name}"

    def clean(self):
        if self.group_id and self.building_id and self.group.estate_id != self.building.estate_id:
            raise ValidationError(
                _("%(building)s is not in the group's estate %(estate)s.")
                % {"building": self.building, "estate": self.group.estate}
            )


class Member(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="members", verbose_name=_("estate")
    )
    group = models.ForeignKey(
        BuildingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("building group"),
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(
        _("phone"), max_length=11, blank=True, validators=[validate_mainland_mobile]
    )
    category = models.ForeignKey(
        MemberCategory, on_delete=models.PROTECT, related_name="members", verbose_name=_("category")
    )
    is_leader = models.BooleanField(_("group leader"), default=False)
    joined = models.DateField(_("joined the branch"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["estate__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(is_leader=True),
                name="one_leader_per_group",
                violation_error_message=_("This group already has a leader."),
            ),
            models.CheckConstraint(
                condition=Q(is_leader=False) | Q(group__isnull=False),
                name="leader_has_group",
                violation_error_message=_("A group leader must belong to a group."),
            ),
            models.UniqueConstraint(
                fields=["estate", "phone"],
                condition=~Q(phone=""),
                name="member_phone_unique_in_estate",
                violation_error_message=_("Another member of this estate has this phone number."),
            ),
        ]
        indexes = [models.Index(fields=["phone"], name="member_phone_idx")]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def clean(self):
        if self.group_id and self.estate_id and self.group.estate_id != self.estate_id:
            raise ValidationError(
                {
                    "group": _("This group belongs to another estate (%(estate)s).")
                    % {"estate": self.group.estate}
                }
            )


class StaffRole(models.TextChoices):
    TOWN_COMMITTEE = "town_committee", _("town committee (read-only)")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    BRANCH_SECRETARY = "branch_secretary", _("branch secretary")


class StaffScope(models.Model):
    """Which part of the tree a staff user works in, and in what role.

    A town committee member has a town, community staff a community, a branch secretary an
    estate; exactly one is set, as the role says."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_scope",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    town = models.ForeignKey(
        Town, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("town")
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("community")
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("estate")
    )

    class Meta:
        verbose_name = _("staff scope")
        verbose_name_plural = _("staff scopes")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role=StaffRole.TOWN_COMMITTEE,
                        town__isnull=False,
                        community__isnull=True,
                        estate__isnull=True,
                    )
                    | Q(
                        role=StaffRole.COMMUNITY_STAFF,
                        community__isnull=False,
                        town__isnull=True,
                        estate__isnull=True,
                    )
                    | Q(
                        role=StaffRole.BRANCH_SECRETARY,
                        estate__isnull=False,
                        town__isnull=True,
                        community__isnull=True,
                    )
                ),
                name="staff_scope_matches_role",
                violation_error_message=_(
                    "Choose exactly one place, as the role says: a town for the town committee, "
                    "a community for community staff, an estate for a branch secretary."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.place}"

    @property
    def place(self):
        return self.town or self.community or self.estate


class StaffPreference(models.Model):
    """What a staff user chose for themselves: the language of the pages (remembered from
    the language switch), which their messages are written in too. Separate from the scope,
    which a superuser may not have."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self):
        return f"{self.user}: {self.language}"
