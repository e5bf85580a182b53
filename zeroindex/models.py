"""Five Zeros: the incidents that break a zero, the month each estate's records start, and the
survey rounds whose suggestions become a tracked task list.

An estate (or building) is zero in a category for a period when it has no *verified* incident
of that category in it; "five-zero" when zero in all five. Months before the estate's records
start are unknown, never zero (zeroindex.queries reads all this)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Building, Estate
from meetings.models import Appeal, AppealCategory


class IncidentCategory(models.TextChoices):
    """The five zeros, in the order the scoreboard shows them."""

    ILLEGAL_CONSTRUCTION = "construction", _("illegal construction")
    POLLUTION = "pollution", _("environmental pollution")
    SAFETY_ACCIDENT = "accident", _("safety accident")
    PUBLIC_SECURITY = "security", _("public-security case")
    PETITION = "petition", _("petition")


class IncidentSource(models.TextChoices):
    STAFF = "staff", _("staff")
    APPEAL = "appeal", _("appeal")
    DEPARTMENT_REPORT = "department", _("department report")
    PATROL = "patrol", _("patrol")


class IncidentStatus(models.TextChoices):
    PENDING = "pending", _("awaiting verification")
    VERIFIED = "verified", _("verified")
    DISMISSED = "dismissed", _("dismissed")


class Incident(models.Model):
    """Something that breaks one of the five zeros in an estate (and, if known, a building).
    Only a verified incident counts; a dismissed one keeps its reason."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("estate")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("building"),
    )
    category = models.CharField(_("category"), max_length=20, choices=IncidentCategory.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("description"), max_length=2000)
    source = models.CharField(
        _("source"), max_length=20, choices=IncidentSource.choices, default=IncidentSource.STAFF
    )
    # zeroindex → meetings only: the appeal page lists these through `appeal.incidents`.
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("appeal"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=IncidentStatus.choices,
        default=IncidentStatus.PENDING,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissal_reason = models.TextField(_("reason for dismissal"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=IncidentCategory.values),
                name="incident_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=IncidentSource.values), name="incident_source_valid"
            ),
            # The status and its columns agree: verified has when, dismissed has when and why.
            models.CheckConstraint(
                condition=(
                    Q(status=IncidentStatus.PENDING, verified_at=None, dismissed_at=None)
                    | Q(status=IncidentStatus.VERIFIED, verified_at__isnull=False)
                    & Q(dismissed_at=None)
                    | (
                        Q(status=IncidentStatus.DISMISSED, verified_at=None)
                        & Q(dismissed_at__isnull=False)
                        & ~Q(dismissal_reason="")
                    )
                ),
                name="incident_status_columns_agree",
            ),
        ]
        indexes = [
            # Every scoreboard read: verified incidents of an estate by time.
            models.Index(
                fields=["estate", "occurred_at"],
                name="incident_verified_idx",
                condition=Q(status="verified"),
            ),
            models.Index(fields=["status", "estate"], name="incident_status_idx"),
        ]

    def __str__(self):
        when = timezone.localtime(self.occurred_at).strftime("%Y-%m-%d")
        return f"{self.get_category_display()} · {self.estate.name} · {when}"

    def clean(self):
        super().clean()
        if self.building_id and self.estate_id and self.building.estate_id != self.estate_id:
            raise ValidationError({"building": _("This building is not in the chosen estate.")})
        if self.occurred_at and self.occurred_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError({"occurred_at": _("An incident cannot be in the future.")})


class IncidentEventKind(models.TextChoices):
    RECORDED = "recorded", _("recorded")
    VERIFIED = "verified", _("verified")
    DISMISSED = "dismissed", _("dismissed")


class IncidentEvent(models.Model):
    """What a move on an incident changed, by whom and when (the incident's history)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    # recorded: {"category", "estate", "building", "occurred_at", "source", "appeal"};
    # dismissed: {"reason"}.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.incident_id} {self.kind}"


class RecordsStart(models.Model):
    """The first month of an estate's five-zero records: months before it are unknown."""

    estate = models.OneToOneField(
        Estate, on_delete=models.CASCADE, related_name="zero_records", verbose_name=_("estate")
    )
    month = models.DateField(
        _("records start"), help_text=_("The first month whose incidents are all recorded.")
    )

    class Meta:
        verbose_name = _("five-zero records start")
        verbose_name_plural = _("five-zero records starts")
        ordering = ["estate__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__day=1), name="records_start_is_first_of_month"
            ),
        ]

    def __str__(self):
        return f"{self.estate.name}: {self.month:%Y-%m}"

    def save(self, *args, **kwargs):
        if self.month:
            self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


class RecordsStartChange(models.Model):
    """Each setting of an estate's records start, from which month to which, by whom: a change
    re-labels past months as known or unknown, so it leaves a trace."""

    estate = models.ForeignKey(
        Estate,
        on_delete=models.CASCADE,
        related_name="zero_records_changes",
        verbose_name=_("estate"),
    )
    from_month = models.DateField(_("was"), null=True, blank=True)
    to_month = models.DateField(_("set to"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("records start change")
        verbose_name_plural = _("records start changes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.estate_id}: {self.from_month} → {self.to_month}"


# --- the survey and its task list ---------------------------------------------------------


class SurveyRound(models.Model):
    """One survey of an estate's residents; its suggestions become the task list."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="survey_rounds", verbose_name=_("estate")
    )
    title = models.CharField(_("title"), max_length=200)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))
    residents_asked = models.PositiveIntegerField(_("residents asked"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__gte=models.F("started_on")),
                name="survey_round_ends_after_start",
                violation_error_message=_("A survey cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.estate.name} · {self.title}"


class Suggestion(models.Model):
    """One suggestion a resident gave in a survey round."""

    round = models.ForeignKey(
        SurveyRound,
        on_delete=models.CASCADE,
        related_name="suggestions",
        verbose_name=_("survey round"),
    )
    number = models.PositiveIntegerField(_("no."))
    text = models.TextField(_("suggestion"), max_length=2000)
    category = models.ForeignKey(
        AppealCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="suggestion_number_unique"),
        ]

    def __str__(self):
        return f"{self.number}. {self.text[:60]}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("to do")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class SurveyTask(models.Model):
    """A task made from a suggestion: who does it, by when, and how it ended."""

    suggestion = models.OneToOneField(
        Suggestion, on_delete=models.PROTECT, related_name="task", verbose_name=_("suggestion")
    )
    # The round's estate, kept on the task so the scope gate and the lists need no join.
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="survey_tasks", verbose_name=_("estate")
    )
    title = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="survey_tasks",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    drop_reason = models.TextField(_("reason for dropping"), max_length=1000, blank=True)
    done_at = models.DateTimeField(_("finished"), null=True, blank=True)
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_tasks",
        verbose_name=_("appeal"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Due work in a column (claimed by the reminder sweep with a conditional UPDATE).
    remind_at = models.DateTimeField(_("reminder due"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey task")
        verbose_name_plural = _("survey tasks")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="survey_task_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.DROPPED) | ~Q(drop_reason=""),
                name="survey_task_dropped_has_reason",
                violation_error_message=_("Say why the task is dropped."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[TaskStatus.DONE, TaskStatus.DROPPED], done_at__isnull=False)
                | Q(status__in=[TaskStatus.OPEN, TaskStatus.IN_PROGRESS], done_at=None),
                name="survey_task_finished_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["estate", "status", "due_on"], name="survey_task_list_idx"),
            models.Index(
                fields=["remind_at"],
                name="survey_task_remind_idx",
                condition=Q(remind_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status in (TaskStatus.OPEN, TaskStatus.IN_PROGRESS) and (
            self.due_on < timezone.localdate()
        )


class TrackedWorkEvent(models.Model):
    """What a move on tracked work (zeroindex.tracked_work: a survey task, a rectification
    measure) changed, by whom and when; each kind adds its foreign key and its statuses
    (`from_status` "" is the work's making)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    # {"owner": id, "due_on": "YYYY-MM-DD", "reason": "...", "note": "..."}: what changed.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class SurveyTaskEvent(TrackedWorkEvent):
    """What a move on a task changed (status, owner, due date; "appeal": id), by whom and
    when."""

    task = models.ForeignKey(SurveyTask, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TaskStatus.choices, blank=True)

    class Meta(TrackedWorkEvent.Meta):
        pass

    def __str__(self):
        return f"{self.task_id} {self.from_status}→{self.to_status}"
