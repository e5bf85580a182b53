"""Appeals and the Five Meetings: a resident's appeal, the events of its timeline, the
meetings that decide it, hearing votes and return visits."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Building, Community, Estate, Member
from branches.names import LocalizedName, english_name, unique_english_name
from branches.phones import mask_phone, validate_mainland_mobile

from .tracking import format_code


def private_storage():
    """Photos live outside MEDIA_URL: only the scoped staff view serves them."""
    return FileSystemStorage(location=settings.MEDIA_ROOT / "private", base_url=None)


class AppealCategory(LocalizedName):
    """What an appeal is about; a list the town edits, with a name per language."""

    name = models.CharField(_("Chinese name"), max_length=50, unique=True)
    name_en = english_name()
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("offered on the form"), default=True)

    class Meta:
        verbose_name = _("appeal category")
        verbose_name_plural = _("appeal categories")
        ordering = ["position", "name"]
        constraints = [unique_english_name("appealcategory")]


class Department(LocalizedName):
    """A county or town department appeals are referred to, with a name per language."""

    class Level(models.TextChoices):
        COUNTY = "county", _("county")
        TOWN = "town", _("town")

    name = models.CharField(_("Chinese name"), max_length=100, unique=True)
    name_en = english_name(150)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    emails = models.CharField(
        _("contact e-mails"),
        max_length=300,
        blank=True,
        help_text=_("Separate several with commas."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["county", "town"]), name="department_level_valid"
            ),
            unique_english_name("department"),
        ]


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    COORDINATING = "coordinating", _("coordinating")
    HEARING = "hearing", _("hearing")
    REFERRED = "referred", _("referred")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    REOPENED = "reopened", _("reopened")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]


class ClosureReason(models.TextChoices):
    SOLVED = "solved", _("solved")
    DECLINED = "declined", _("declined")
    DUPLICATE = "duplicate", _("duplicate")
    WITHDRAWN = "withdrawn", _("withdrawn")
    UNREACHABLE = "unreachable", _("unreachable")


class Source(models.TextChoices):
    WEB_FORM = "web_form", _("web form")
    FORUM = "forum", _("public sentiment forum")
    BUILDING_GROUP = "building_group", _("building group")
    PHONE = "phone", _("phone call")
    HOME_VISIT = "home_visit", _("home visit")
    SURVEY = "survey", _("survey")
    API = "api", _("API (another system)")


class ApiKey(models.Model):
    """A key for another system (a hotline, a WeChat account, a grid app) to file and follow
    appeals through the Open311 API, within a town or one community. Only a hash of the key
    is kept: the key itself is shown once, when a superuser issues it."""

    client = models.CharField(
        _("client system"),
        max_length=100,
        help_text=_("The system that uses the key, for example “12345 hotline”."),
    )
    town = models.ForeignKey(
        "branches.Town",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("town"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    prefix = models.CharField(_("key starts with"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("Who runs the client system.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(town__isnull=False, community__isnull=True)
                | Q(town__isnull=True, community__isnull=False),
                name="apikey_scoped_to_town_or_community",
                violation_error_message=_("Choose a town or a community for the key, not both."),
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False),
                name="apikey_revoked_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.client} ({self.prefix}…)"

    @property
    def scope_name(self) -> str:
        return str(self.community or self.town)


class Appeal(models.Model):
    code = models.CharField(_("tracking code"), max_length=8, unique=True, editable=False)
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("estate")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("building"),
    )
    category = models.ForeignKey(
        AppealCategory, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("mobile phone"), max_length=11, blank=True, validators=[validate_mainland_mobile]
    )
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_appeals",
        verbose_name=_("handler"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("department"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeats"),
        help_text=_("An earlier appeal from the same phone about the same kind of problem."),
    )

    created_at = models.DateTimeField(_("received at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Deadlines, each set when its clock starts; next_due_at is the one that matters now.
    response_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    routing_due_at = models.DateTimeField(_("route by"), null=True, blank=True)
    handling_due_at = models.DateTimeField(_("handle by"), null=True, blank=True)
    return_visit_due_at = models.DateTimeField(_("return visit by"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True)
    # Return-visit reminders: the next step to send and when (the sweep reads these).
    visit_reminder_step = models.PositiveSmallIntegerField(default=0, editable=False)
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The resident's language on the form, for the text messages they get.
    language = models.CharField(max_length=10, default="zh-hans", editable=False)
    anonymised_at = models.DateTimeField(_("contact details erased"), null=True, blank=True)
    # The key of the system that filed it through the Open311 API (source "api").
    api_key = models.ForeignKey(
        ApiKey,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        editable=False,
        verbose_name=_("filed through"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="appeal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="appeal_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(source=Source.API, api_key__isnull=False)
                | (~Q(source=Source.API) & Q(api_key__isnull=True)),
                name="appeal_api_source_has_key",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=Status.CLOSED, closure_reason__in=ClosureReason.values)
                    | (~Q(status=Status.CLOSED) & Q(closure_reason=""))
                ),
                name="appeal_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=F("pk")),
                name="appeal_not_duplicate_of_itself",
            ),
            models.CheckConstraint(
                condition=~Q(closure_reason=ClosureReason.DUPLICATE)
                | Q(duplicate_of__isnull=False),
                name="appeal_duplicate_names_original",
            ),
        ]
        indexes = [
            # Also answers the digest's "who has overdue appeals" from the index alone.
            models.Index(
                fields=["status", "next_due_at"],
                include=["handler", "estate", "department"],
                name="appeal_status_due_idx",
            ),
            models.Index(fields=["next_due_at"], name="appeal_next_due_idx"),
            models.Index(fields=["estate", "status"], name="appeal_estate_status_idx"),
            # Open311's search: a scope's appeals received in a date range.
            models.Index(fields=["estate", "created_at"], name="appeal_estate_created_idx"),
            models.Index(fields=["contact_phone"], name="appeal_phone_idx"),
            models.Index(
                fields=["estate", "category", "contact_phone", "created_at"],
                name="appeal_repeat_idx",
            ),
            # The staff list's filters, each with the list's order (-pk) behind it, so a
            # filter finding none or few is an index look-up, not a walk of every row.
            models.Index(fields=["source", "id"], name="appeal_list_source_idx"),
            models.Index(fields=["category", "id"], name="appeal_list_category_idx"),
            models.Index(fields=["status", "id"], name="appeal_list_status_idx"),
            models.Index(fields=["estate", "id"], name="appeal_list_estate_idx"),
            models.Index(fields=["handler", "status"], name="appeal_handler_idx"),
            models.Index(fields=["department", "status"], name="appeal_department_idx"),
            models.Index(
                fields=["next_reminder_at"],
                name="appeal_reminder_due_idx",
                condition=Q(next_reminder_at__isnull=False),
            ),
            models.Index(
                fields=["closed_at"],
                name="appeal_retention_idx",
                condition=Q(anonymised_at__isnull=True, status="closed"),
            ),
            # The work queue: never acknowledged, return visits due.
            models.Index(
                fields=["created_at"],
                name="appeal_unacknowledged_idx",
                condition=Q(acknowledged_at__isnull=True, status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["return_visit_due_at"],
                name="appeal_visit_due_idx",
                condition=Q(status="resolved"),
            ),
        ]

    def __str__(self):
        return f"{self.display_code} {self.title}"

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def is_overdue(self) -> bool:
        return self.next_due_at is not None and self.next_due_at < timezone.now()

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone)

    def clean(self):
        if self.building_id and self.estate_id and self.building.estate_id != self.estate_id:
            raise ValidationError({"building": _("This building is not in the chosen estate.")})


class AppealPhoto(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")

    image = models.FileField(storage=private_storage, upload_to="appeal-photos/%Y/%m/")
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.appeal_id}/{self.pk}"


class PendingPhoto(models.Model):
    """A photo from an appeal form that came back with an error, kept (already checked and
    stripped of metadata) so the resident need not choose it again. Only the session that
    sent it sees or files it; filed with the appeal, or deleted a day later
    (meetings.kept_photos)."""

    session_key = models.CharField(max_length=40)
    image = models.FileField(storage=private_storage, upload_to="pending-photos/%Y/%m/")
    # A small JPEG for the resident's own form page; the full image is never served to them.
    thumbnail = models.BinaryField()
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kept photo")
        verbose_name_plural = _("kept photos")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["session_key"], name="pendingphoto_session_idx"),
            models.Index(fields=["created_at"], name="pendingphoto_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(session_key=""), name="pendingphoto_belongs_to_a_session"
            ),
        ]

    def __str__(self):
        return f"{self.pk}"


class MeetingType(models.TextChoices):
    FORUM = "forum", _("public sentiment forum")
    PARTY_MASSES = "party_masses", _("party–masses meeting")
    COORDINATION = "coordination", _("coordination meeting")
    HEARING = "hearing", _("hearing on a major issue")
    DEPARTMENT_REVIEW = "department_review", _("department work review")


class Meeting(models.Model):
    type = models.CharField(_("type"), max_length=20, choices=MeetingType.choices)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("community")
    )
    estate = models.ForeignKey(
        Estate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("estate"),
        help_text=_("Leave empty for a meeting of the whole community."),
    )
    held_at = models.DateTimeField(_("held at"), default=timezone.now)
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(_("chair"), max_length=50, blank=True)
    attendees = models.ManyToManyField(
        Member, blank=True, related_name="meetings", verbose_name=_("attending members")
    )
    resident_representatives = models.TextField(
        _("resident representatives"), blank=True, help_text=_("Names, one per line.")
    )
    head_count = models.PositiveIntegerField(_("head count"), null=True, blank=True)
    agenda = models.ManyToManyField(
        Appeal, blank=True, related_name="meetings", verbose_name=_("agenda")
    )
    minutes = models.TextField(_("minutes"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=MeetingType.values), name="meeting_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | (Q(head_count__isnull=False) & ~Q(minutes="")),
                name="meeting_closed_with_minutes_and_head_count",
                violation_error_message=_(
                    "A meeting is closed only with minutes and a head count."
                ),
            ),
        ]
        indexes = [models.Index(fields=["community", "type", "held_at"], name="meeting_type_idx")]

    def __str__(self):
        place = self.estate or self.community
        return f"{self.get_type_display()} · {place} · {timezone.localtime(self.held_at):%Y-%m-%d}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def clean(self):
        if self.estate_id and self.community_id and self.estate.community_id != self.community_id:
            raise ValidationError({"estate": _("This estate is not in the chosen community.")})


class HearingVote(models.Model):
    """The vote on one appeal at a hearing, and what the rule in force made of it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="votes")
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="votes")
    eligible = models.PositiveIntegerField(_("eligible"))
    present = models.PositiveIntegerField(_("present"))
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    abstain = models.PositiveIntegerField(_("abstain"))
    quorum = models.BooleanField(_("quorum"))
    passed = models.BooleanField(_("passed"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hearing vote")
        verbose_name_plural = _("hearing votes")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=F("eligible")),
                name="vote_present_within_eligible",
                violation_error_message=_("More present than eligible."),
            ),
            models.CheckConstraint(
                condition=Q(present__gte=F("votes_for") + F("votes_against") + F("abstain")),
                name="vote_ballots_within_present",
                violation_error_message=_("More votes than people present."),
            ),
            models.CheckConstraint(
                condition=Q(passed=False) | Q(quorum=True), name="vote_passed_needs_quorum"
            ),
            # Without quorum the appeal is heard again, at another hearing.
            models.UniqueConstraint(
                fields=["meeting", "appeal"],
                name="one_vote_per_appeal_per_hearing",
                violation_error_message=_("This hearing has voted on this appeal already."),
            ),
        ]

    def __str__(self):
        return f"{self.votes_for}/{self.present}/{self.eligible}"


SCORE_RANGE = (
    Q(attitude__gte=0, attitude__lte=100)
    & Q(efficiency__gte=0, efficiency__lte=100)
    & Q(results__gte=0, results__lte=100)
)


class ReviewScore(models.Model):
    """One reviewer's scores of one department at a department work review meeting: a party
    member among the attendees, or a resident representative named in the meeting's list."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="review_scores", verbose_name=_("meeting")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="review_scores",
        verbose_name=_("department"),
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_scores",
        verbose_name=_("party member"),
    )
    representative = models.CharField(_("resident representative"), max_length=50, blank=True)
    attitude = models.PositiveSmallIntegerField(_("service attitude"))
    efficiency = models.PositiveSmallIntegerField(_("efficiency"))
    results = models.PositiveSmallIntegerField(_("results"))
    comment = models.TextField(_("comment"), max_length=1000, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("review score")
        verbose_name_plural = _("review scores")
        ordering = ["meeting", "department", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=SCORE_RANGE,
                name="review_score_in_range",
                violation_error_message=_("Each score is from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(representative=""))
                | (Q(member__isnull=True) & ~Q(representative="")),
                name="review_score_one_reviewer",
                violation_error_message=_(
                    "A score is by a party member or by a resident representative."
                ),
            ),
            models.UniqueConstraint(
                fields=["meeting", "department", "member"],
                condition=Q(member__isnull=False),
                name="review_score_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["meeting", "department", "representative"],
                condition=~Q(representative=""),
                name="review_score_once_per_representative",
            ),
        ]
        indexes = [models.Index(fields=["department", "meeting"], name="review_score_dept_idx")]

    def __str__(self):
        return f"{self.department} · {self.mean:.1f}"

    @property
    def mean(self) -> float:
        return (self.attitude + self.efficiency + self.results) / 3


class Channel(models.TextChoices):
    PHONE = "phone", _("phone call")
    HOME_VISIT = "home_visit", _("home visit")
    ONLINE_GROUP = "online_group", _("online group")
    IN_PERSON = "in_person", _("in person")
    RESIDENT_ONLINE = "resident_online", _("resident answered online")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically_satisfied", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class ReturnVisit(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="return_visits")

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    reached = models.BooleanField(_("reached"))
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(reached=True, solved__isnull=False, satisfaction__in=Satisfaction.values)
                    | Q(reached=False, solved__isnull=True, satisfaction="")
                ),
                name="return_visit_answer_when_reached",
                violation_error_message=_(
                    "A resident who was reached says whether it is solved and how satisfied "
                    "they are."
                ),
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="return_visit_channel_valid"
            ),
        ]
        indexes = [
            # The work queue's "solved but dissatisfied" lately: few rows, found directly.
            models.Index(
                fields=["created_at"],
                name="return_visit_dissatisfied_idx",
                condition=Q(satisfaction="dissatisfied"),
            ),
        ]

    def __str__(self):
        return f"{self.appeal_id} {self.channel} {self.created_at:%Y-%m-%d}"


class DueField(models.TextChoices):
    """The deadlines of an appeal, each a column of Appeal."""

    RESPONSE = "response_due_at", _("acknowledge by")
    ROUTING = "routing_due_at", _("route by")
    HANDLING = "handling_due_at", _("handle by")
    RETURN_VISIT = "return_visit_due_at", _("return visit by")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("received")
    MOVED = "moved", _("moved")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    HANDLER_CHANGED = "handler_changed", _("handler changed")
    DUE_EXTENDED = "due_extended", _("due date extended")
    HEARING_VOTE = "hearing_vote", _("hearing vote")
    RETURN_VISIT = "return_visit", _("return visit")
    AGENDA = "agenda", _("put on a meeting's agenda")


class AppealEvent(models.Model):
    """One line of an appeal's timeline: who did what, when, and at which meeting."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    by_resident = models.BooleanField(default=False)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    move = models.CharField(max_length=30, blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    direct_by_secretary = models.BooleanField(default=False)
    public_note = models.TextField(blank=True, max_length=1000)
    internal_note = models.TextField(blank=True, max_length=1000)
    # What the move set, so history answers "which department had it, and did it meet its
    # due date": the department referred to, the handler assigned, the original of a
    # duplicate, and the deadline set for the step it opened (or a new date for it).
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("department"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    original = models.ForeignKey(
        "Appeal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duplicate of"),
    )
    due_field = models.CharField(max_length=30, blank=True, choices=DueField.choices)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Kind-specific details, by kind: submitted {"source"}; hearing_vote and the hearing
    # moves {"eligible", "present", "for", "against", "abstain", "quorum", "passed"};
    # visit_solved/visit_not_solved {"satisfaction", "channel"}; return_visit and
    # unreachable {"reached": false, "attempts", "channel"}; handler_changed {"from",
    # "name"}; due_extended {"from"} (the date it replaced; the new one is due_at).
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["appeal", "created_at"], name="event_appeal_idx"),
            # The year end: every referral to each department in a year.
            models.Index(
                fields=["department", "created_at"],
                name="event_referral_idx",
                condition=Q(department__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__isnull=True, due_field="")
                | Q(due_at__isnull=False, due_field__in=DueField.values),
                name="event_due_names_its_deadline",
            ),
        ]

    def __str__(self):
        return f"{self.appeal_id} {self.kind} {self.created_at:%Y-%m-%d}"


class Notification(models.Model):
    """One message to one recipient, and what became of it.

    A staff recipient (`user`) reads it in the admin; with an e-mail address it is also
    mailed. A named recipient (a department, the county performance office, the town
    committee) gets it by e-mail; a resident by text message. E-mail and SMS rows carry
    their delivery: attempts, last error, delivered at."""

    class Kind(models.TextChoices):
        """What a message is for: each has its templates under templates/messages/
        (`<kind>-subject.txt`, …; a text to a resident `sms/<event>.txt` for `sms_<event>`)."""

        DIGEST = "digest", _("daily digest of overdue appeals")
        REFERRAL = "referral", _("appeal referred to a department")
        VISIT_REMINDER = "visit_reminder", _("return-visit reminder")
        VISIT_ESCALATION = "visit_escalation", _("return visit overdue")
        # A survey task of the Five Zeros (zeroindex) due soon; meetings only sends it.
        TASK_REMINDER = "task_reminder", _("survey task due soon")
        # A branch report's rectification measure (governance) due soon; meetings sends it.
        MEASURE_REMINDER = "measure_reminder", _("rectification measure due soon")
        # A branch's or group's regular meeting overdue (branches' organisational life).
        ORG_LIFE_OVERDUE = "org_life_overdue", _("organisational meeting overdue")
        # A building group's commitment due soon (branches' Three Brightness).
        COMMITMENT_REMINDER = "commitment_reminder", _("group commitment due soon")
        # A year-end department evaluation, approved (governance hands over its PDF).
        EVALUATION = "evaluation", _("year-end evaluation of a department")
        SMS_SUBMITTED = "sms_submitted", _("text to the resident: appeal received")
        SMS_ACKNOWLEDGED = "sms_acknowledged", _("text to the resident: appeal acknowledged")
        SMS_RESOLVED = "sms_resolved", _("text to the resident: reported fixed")
        SMS_CLOSED = "sms_closed", _("text to the resident: appeal closed")

    class Channel(models.TextChoices):
        INBOX = "inbox", _("in the admin")
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("text message")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    recipient_name = models.CharField(_("recipient"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("appeal"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    html = models.TextField(_("text as HTML"), blank=True)
    # A text message's values by name, as its template filled them in (`{"code": …}`), kept
    # with the text so that every attempt sends the same: an SMS provider that sends only
    # pre-approved templates is given these instead of the text (meetings/sms.py).
    params = models.JSONField(_("template parameters"), default=dict, blank=True)
    # At most one message per purpose: e.g. "visit:12:3:due_day", "digest:2026-11-27:user:4".
    dedupe_key = models.CharField(_("purpose key"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    deliver_after = models.DateTimeField(_("send after"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # A file mailed with the message (an evaluation's PDF), kept private; several messages
    # may share one file. `attachment_name` is the name the recipient sees.
    attachment = models.FileField(
        _("attachment"), storage=private_storage, upload_to="attachments/%Y/", blank=True
    )
    attachment_name = models.CharField(_("attachment's name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["inbox", "email", "sms"]),
                name="notification_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(channel="inbox", user__isnull=False) | ~Q(channel="inbox"),
                name="notification_inbox_has_user",
            ),
        ]
        indexes = [
            models.Index(
                fields=["deliver_after"],
                name="notification_undelivered_idx",
                condition=Q(delivered_at__isnull=True),
            ),
            models.Index(fields=["user", "read_at"], name="notification_inbox_idx"),
        ]

    def __str__(self):
        return self.subject


class RetentionRun(models.Model):
    """What one run of the retention job changed."""

    ran_at = models.DateTimeField(default=timezone.now)
    closed_before = models.DateTimeField()
    appeals_anonymised = models.PositiveIntegerField()
    photos_removed = models.PositiveIntegerField()

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d}: {self.appeals_anonymised}"


# The daily roll-ups of the committee's figures (kept by meetings.rollups).
from .rollup_models import (  # noqa: E402, F401
    AppealDay,
    AppealMonth,
    CategoryMonth,
    StatusDay,
    StatusDuration,
    StatusDurationMonth,
    StatusMonth,
    VisitDay,
    VisitMonth,
)
