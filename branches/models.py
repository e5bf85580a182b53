"""Places and people: town → community → estate (its party branch) → building → group → member,
and the staff scope that says which part of that tree a staff user works in."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


# Where an estate or a building is (WGS 84 degrees, as a phone reports them; six decimals
# are some 10 cm). Optional: a place without them is simply never the nearest
# (branches.places). Both or neither, within the globe's ranges: a check in the database,
# and `coordinates_clean` for a message next to the field.
def coordinate(label, limit: int) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
        help_text=_(
            "In degrees as GPS gives them (WGS 84), for example 28.180000 and 113.130000; "
            "not the shifted ones of Chinese online maps (GCJ-02, BD-09)."
        ),
    )


def coordinate_constraints(model_name: str) -> list:
    return [
        models.CheckConstraint(
            condition=Q(latitude__isnull=True, longitude__isnull=True)
            | Q(latitude__isnull=False, longitude__isnull=False),
            name=f"{model_name}_coordinates_both_or_neither",
            violation_error_message=_("Give both the latitude and the longitude, or neither."),
        ),
        models.CheckConstraint(
            condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
            name=f"{model_name}_latitude_range",
            violation_error_message=_("The latitude is between -90 and 90."),
        ),
        models.CheckConstraint(
            condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
            name=f"{model_name}_longitude_range",
            violation_error_message=_("The longitude is between -180 and 180."),
        ),
    ]


def coordinates_clean(place) -> None:
    """One coordinate without the other is refused next to the one missing."""
    missing = [name for name in ("latitude", "longitude") if getattr(place, name) in (None, "")]
    if len(missing) == 1:
        raise ValidationError(
            {missing[0]: _("Give both the latitude and the longitude, or neither.")}
        )


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
    latitude = coordinate(_("latitude"), 90)
    longitude = coordinate(_("longitude"), 180)

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="estate_name_unique_in_community"
            ),
            *coordinate_constraints("estate"),
        ]
        # the bounding box of branches.places.nearest_place
        indexes = [models.Index(fields=["latitude", "longitude"], name="estate_coordinates_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        coordinates_clean(self)


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("For example “3栋” or “A座”."))
    latitude = coordinate(_("latitude"), 90)
    longitude = coordinate(_("longitude"), 180)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["estate__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"], name="building_name_unique_in_estate"
            ),
            *coordinate_constraints("building"),
        ]
        # the bounding box of branches.places.nearest_place
        indexes = [models.Index(fields=["latitude", "longitude"], name="building_coordinates_idx")]

    def __str__(self):
        return f"{self.estate.name} {self.name}"

    def clean(self):
        coordinates_clean(self)


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
    # The consent in force to a public card (the latest MemberConsent), kept here so public
    # pages filter on a column; written only by ledger.member_consent_set.
    card_consent_on = models.DateField(
        _("public card consented on"), null=True, blank=True, editable=False
    )

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


def private_storage():
    """Evidence files (photos, scans) are served only through the admin, behind the gate."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.MEDIA_ROOT / "private", base_url=None)


# --- Five Modernizations: the party–masses service station ------------------------------

# The case study's facilities; a new station starts with these (each open), then edits them.
DEFAULT_FACILITIES = [
    ("党员之家", "Party members' home"),
    ("居民活动之家", "Residents' activity home"),
    ("志愿者之家", "Volunteers' home"),
    ("业主议事区", "Owners' meeting area"),
    ("儿童游乐场", "Children's playground"),
    ("志愿理发室", "Volunteer barber"),
    ("志愿诊疗室", "Volunteer health clinic"),
    ("法律咨询室", "Legal consultation room"),
]


class ServiceStation(models.Model):
    """An estate's party–masses service station (党群服务站): one per estate."""

    estate = models.OneToOneField(
        Estate, on_delete=models.PROTECT, related_name="station", verbose_name=_("estate")
    )
    location = models.CharField(
        _("where"), max_length=200, help_text=_("For example “3栋一楼架空层”.")
    )
    opening_hours = models.CharField(
        _("opening hours"), max_length=200, help_text=_("For example “周一至周六 8:30–17:30”.")
    )
    note = models.TextField(_("note for residents"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["estate__name"]

    def __str__(self):
        return _("%(estate)s service station") % {"estate": self.estate.name}


class Facility(models.Model):
    """A room or place of a station (the barber's, the clinic, …), open or closed."""

    station = models.ForeignKey(
        ServiceStation,
        on_delete=models.CASCADE,
        related_name="facilities",
        verbose_name=_("service station"),
    )
    name = models.CharField(_("Chinese name"), max_length=50)
    name_en = english_name(50)
    is_open = models.BooleanField(_("open"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["station", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="facility_name_unique"),
        ]

    def __str__(self):
        from .names import localized

        return localized(self.name, self.name_en)


class ServiceKind(LocalizedName):
    """What a session offers (haircuts, health checks, legal advice, …); a town edits the list."""

    name = models.CharField(_("Chinese name"), max_length=50, unique=True)
    name_en = english_name(50)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("kind of service")
        verbose_name_plural = _("kinds of service")
        ordering = ["position", "name"]
        constraints = [unique_english_name("servicekind")]


class Volunteer(models.Model):
    """Someone who serves at a station and is not one of its members: a volunteer or a
    professional (a doctor, a lawyer, a barber). A name, no contact details."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", _("volunteer")
        PROFESSIONAL = "professional", _("professional")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VOLUNTEER)
    organisation = models.CharField(
        _("organisation"), max_length=100, blank=True, help_text=_("For example “县人民医院”.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["estate__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name", "organisation"], name="volunteer_unique_in_estate"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.organisation}）" if self.organisation else self.name


class ServiceSession(models.Model):
    """A session of service at a station: when, where, what, who served and how many residents
    were served (a head count: no resident's personal data)."""

    station = models.ForeignKey(
        ServiceStation,
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name=_("service station"),
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("facility")
    )
    kind = models.ForeignKey(
        ServiceKind, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("service")
    )
    starts_at = models.DateTimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"), default=120, help_text=_("Counts as each server's volunteer time.")
    )
    people_served = models.PositiveIntegerField(_("residents served"))
    members = models.ManyToManyField(
        Member, related_name="sessions", blank=True, verbose_name=_("members who served")
    )
    volunteers = models.ManyToManyField(
        Volunteer,
        related_name="sessions",
        blank=True,
        verbose_name=_("volunteers and professionals who served"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("service session")
        verbose_name_plural = _("service sessions")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=24 * 60),
                name="session_minutes_in_a_day",
                violation_error_message=_("A session lasts between 1 minute and 24 hours."),
            ),
            models.CheckConstraint(
                condition=Q(people_served__lte=100000),
                name="session_people_served_bounded",
                violation_error_message=_("That is more residents than a session can serve."),
            ),
        ]
        indexes = [models.Index(fields=["station", "starts_at"], name="session_station_time_idx")]

    def __str__(self):
        return f"{self.kind} {self.starts_at:%Y-%m-%d}"

    def clean(self):
        if self.facility_id and self.station_id and self.facility.station_id != self.station_id:
            raise ValidationError({"facility": _("This facility belongs to another station.")})


# --- Five Modernizations: organisational life (regular meetings) ------------------------


class OrgMeetingKind(LocalizedName):
    """A kind of regular meeting (branch members' meeting, group meeting, theme party day …)
    and how often each branch, or each building group, is expected to hold one."""

    class Level(models.TextChoices):
        BRANCH = "branch", _("each branch")
        GROUP = "group", _("each building group")

    name = models.CharField(_("Chinese name"), max_length=50, unique=True)
    name_en = english_name(50)
    level = models.CharField(_("held by"), max_length=10, choices=Level.choices)
    every_months = models.PositiveSmallIntegerField(
        _("expected every (months)"),
        null=True,
        blank=True,
        help_text=_("1 = monthly, 3 = quarterly, 12 = yearly; empty = no expectation."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("kind of organisational meeting")
        verbose_name_plural = _("kinds of organisational meeting")
        ordering = ["position", "name"]
        constraints = [
            unique_english_name("orgmeetingkind"),
            models.CheckConstraint(
                condition=Q(every_months__isnull=True) | Q(every_months__in=[1, 2, 3, 4, 6, 12]),
                name="orgmeetingkind_period_divides_year",
                violation_error_message=_("Choose 1, 2, 3, 4, 6 or 12 months."),
            ),
        ]


class OrgMeeting(models.Model):
    """A meeting of a branch's organisational life (the second standard), with attendance."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="org_meetings", verbose_name=_("branch")
    )
    group = models.ForeignKey(
        BuildingGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="org_meetings",
        verbose_name=_("building group"),
        help_text=_("For a group's meeting."),
    )
    kind = models.ForeignKey(
        OrgMeetingKind, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("kind")
    )
    held_at = models.DateTimeField(_("held"))
    topic = models.CharField(_("topic"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisational meeting")
        verbose_name_plural = _("organisational meetings")
        ordering = ["-held_at", "-id"]
        indexes = [
            models.Index(fields=["estate", "kind", "held_at"], name="orgmeeting_estate_kind_idx"),
            models.Index(fields=["group", "kind", "held_at"], name="orgmeeting_group_kind_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.held_at:%Y-%m-%d} {self.topic}"

    def clean(self):
        errors = {}
        if self.held_at and self.held_at > timezone.now():
            # its attendance earns points dated the day it was held
            errors["held_at"] = _("This meeting has not been held yet: record it once it has.")
        if self.group_id and self.estate_id and self.group.estate_id != self.estate_id:
            errors["group"] = _("This group belongs to another estate.")
        if self.kind_id:
            if self.kind.level == OrgMeetingKind.Level.GROUP and not self.group_id:
                errors["group"] = _("A group's meeting needs its group.")
            if self.kind.level == OrgMeetingKind.Level.BRANCH and self.group_id:
                errors["group"] = _("A branch's meeting has no group.")
        if errors:
            raise ValidationError(errors)


class OrgAttendance(models.Model):
    """A member expected at a meeting: present, or absent with the reason."""

    meeting = models.ForeignKey(
        OrgMeeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("member")
    )
    present = models.BooleanField(_("present"), default=True)
    absence_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(present=True, absence_reason="")
                | Q(present=False) & ~Q(absence_reason=""),
                name="attendance_absent_has_reason",
                violation_error_message=_("An absent member needs a reason; a present one none."),
            ),
        ]
        indexes = [models.Index(fields=["member", "meeting"], name="attendance_member_idx")]

    def __str__(self):
        return f"{self.member} – {self.meeting}"


# --- Five Modernizations: Three Brightness, Three Comparisons ---------------------------


class ContributionSource(models.TextChoices):
    """What a ledger entry came from; each has its points in the rule table."""

    SESSION = "session", _("service session")
    MEETING = "meeting", _("meeting attended")
    APPEAL = "appeal", _("appeal handled")
    COMMITMENT = "commitment", _("commitment item done")
    MANUAL = "manual", _("award")
    CORRECTION = "correction", _("correction")


class ContributionRule(models.Model):
    """How many points a kind of contribution earns (the editable rule table)."""

    source = models.CharField(
        _("contribution"), max_length=20, choices=ContributionSource.choices, unique=True
    )
    points = models.SmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("contribution rule")
        verbose_name_plural = _("contribution rules")
        ordering = ["source"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=0) & Q(points__lte=1000),
                name="rule_points_bounded",
                violation_error_message=_("Points are between 0 and 1,000."),
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()}: {self.points}"


class ContributionEntry(models.Model):
    """One line of the contribution ledger. Append-only: a correction is a new entry (negative
    or positive points, pointing at the entry it corrects), never an edit; the database
    refuses an UPDATE or DELETE. `key` says what the entry is for, once: the same source
    never counts twice (`session:12:member:5`)."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("member")
    )
    on = models.DateField(_("date"))
    source = models.CharField(_("from"), max_length=20, choices=ContributionSource.choices)
    points = models.SmallIntegerField(_("points"))
    key = models.CharField(_("source key"), max_length=100, unique=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # the rows cannot be changed: a recorder stays
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contribution ledger")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gte=-10000) & Q(points__lte=10000),
                name="entry_points_bounded",
            ),
            models.CheckConstraint(
                condition=Q(source=ContributionSource.CORRECTION, corrects__isnull=False)
                | ~Q(source=ContributionSource.CORRECTION) & Q(corrects__isnull=True),
                name="entry_correction_points_at_entry",
            ),
            models.CheckConstraint(
                condition=~Q(source__in=[ContributionSource.MANUAL, ContributionSource.CORRECTION])
                | ~Q(reason=""),
                name="entry_award_has_reason",
                violation_error_message=_("An award or a correction needs its reason."),
            ),
        ]
        indexes = [models.Index(fields=["member", "on"], name="entry_member_on_idx")]

    def __str__(self):
        return f"{self.member} {self.on} {self.points:+d}"


class MemberConsent(models.Model):
    """A member's consent to a public card (name, group, category, points, commitments; never
    the phone), given or withdrawn, with its date. The latest row is in force
    (`Member.card_consent`); rows are never edited."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="consents", verbose_name=_("member")
    )
    given = models.BooleanField(_("consents"))
    on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,  # the rows cannot be changed: a recorder stays
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent to a public card")
        verbose_name_plural = _("consents to a public card")
        ordering = ["member", "-recorded_at", "-id"]

    def __str__(self):
        return f"{self.member} {self.on} {'✓' if self.given else '✗'}"


class Commitment(models.Model):
    """A building group's commitment for a year (小组亮承诺): an item with a due date, its
    progress and evidence, verified done by the branch's secretary."""

    group = models.ForeignKey(
        BuildingGroup,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("building group"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.CharField(_("commitment"), max_length=300)
    due_on = models.DateField(_("due"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)
    evidence_photo = models.FileField(
        _("evidence photo"),
        storage=private_storage,
        upload_to="commitment-evidence/%Y/",
        blank=True,
    )
    members = models.ManyToManyField(
        Member, related_name="commitments", blank=True, verbose_name=_("members who did it")
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    # due work: the reminder before the due date, claimed by the sweep (cleared once sent)
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("group commitment")
        verbose_name_plural = _("group commitments")
        ordering = ["-year", "group__estate__name", "group__name", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="commitment_progress_percent"
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True) | Q(progress=100),
                name="commitment_verified_is_done",
                violation_error_message=_("Only a commitment at 100%% can be verified."),
            ),
        ]
        indexes = [
            models.Index(fields=["remind_at"], name="commitment_remind_idx"),
            models.Index(fields=["group", "year"], name="commitment_group_year_idx"),
        ]

    def __str__(self):
        return self.text


# --- Five Modernizations: the five standards checklist ----------------------------------


class Standard(models.IntegerChoices):
    SETTING = 1, _("standardized branch setting")
    ORG_LIFE = 2, _("normalized organisational life")
    SERVICES = 3, _("refined management and services")
    RULES = 4, _("systematized work rules")
    POSITION = 5, _("standardized service position")


class AutoCheck(models.TextChoices):
    """What the system can check itself for an item."""

    NONE = "", _("no: evidence and scores only")
    MEETINGS_HELD = "meetings_held", _("meetings held as expected")
    STATION_OPEN = "station_open", _("station open with its facilities")
    GROUP_LEADERS = "group_leaders", _("every group has a leader")
    SECRETARY = "secretary", _("the branch has a secretary")


class StandardItem(LocalizedName):
    """An item of the five-standards template (which a town edits)."""

    standard = models.PositiveSmallIntegerField(_("standard"), choices=Standard.choices)
    name = models.CharField(_("Chinese text"), max_length=200, unique=True)
    name_en = english_name(200)
    max_score = models.PositiveSmallIntegerField(_("full score"), default=10)
    auto_check = models.CharField(
        _("checked by the system"), max_length=20, choices=AutoCheck.choices, blank=True
    )
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("five-standards item")
        verbose_name_plural = _("five-standards items")
        ordering = ["standard", "position", "id"]
        constraints = [
            unique_english_name("standarditem"),
            models.CheckConstraint(
                condition=Q(max_score__gte=1) & Q(max_score__lte=100),
                name="standarditem_score_bounded",
            ),
        ]


class Checklist(models.Model):
    """A branch's five-standards checklist for a year: its self-assessment, then the
    community's review."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("self-assessment")
        SUBMITTED = "submitted", _("submitted for review")
        REVIEWED = "reviewed", _("reviewed")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="checklists", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("five-standards checklist")
        verbose_name_plural = _("five-standards checklists")
        ordering = ["-year", "estate__name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "year"], name="checklist_once_per_year"),
            models.CheckConstraint(
                condition=Q(status="reviewed", reviewed_at__isnull=False)
                | ~Q(status="reviewed") & Q(reviewed_at__isnull=True),
                name="checklist_reviewed_has_time",
            ),
        ]

    def __str__(self):
        return _("%(estate)s, five standards %(year)s") % {
            "estate": self.estate.name,
            "year": self.year,
        }


class ChecklistEntry(models.Model):
    """An item of a branch's checklist: evidence, the branch's score, the community's score,
    and, for an item the system checks, what it found."""

    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="entries", verbose_name=_("checklist")
    )
    item = models.ForeignKey(
        StandardItem, on_delete=models.PROTECT, related_name="entries", verbose_name=_("item")
    )
    evidence = models.TextField(_("evidence"), max_length=4000, blank=True)
    evidence_file = models.FileField(
        _("evidence file"), storage=private_storage, upload_to="checklist-evidence/%Y/", blank=True
    )
    self_score = models.PositiveSmallIntegerField(_("self-assessment"), null=True, blank=True)
    review_score = models.PositiveSmallIntegerField(_("review score"), null=True, blank=True)
    auto_met = models.BooleanField(_("met (checked by the system)"), null=True, blank=True)
    auto_note = models.CharField(_("what the system found"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["checklist", "item__standard", "item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item"], name="checklist_item_once"),
            models.CheckConstraint(
                condition=Q(self_score__lte=100) & Q(review_score__lte=100),
                name="checklist_scores_bounded",
            ),
        ]

    def __str__(self):
        return str(self.item)
