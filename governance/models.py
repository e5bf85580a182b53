"""The year end, above the three apps: each department's evaluation for a year (its figures,
score, grade and written opinion, approved by the town committee and delivered once)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.models import Estate
from meetings.models import Department
from zeroindex.models import TrackedWorkEvent


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")
    QUALIFIED = "qualified", _("qualified")
    UNQUALIFIED = "unqualified", _("unqualified")
    NOT_EVALUATED = "not_evaluated", _("not evaluated")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")


# A written opinion fills a page or two; the bound keeps its PDF quick to draw (10,000
# characters ≈ 1 s; 200,000 took 15 s inside the approval's request).
OPINION_MAX_LENGTH = 10_000


class DepartmentEvaluation(models.Model):
    """A department's evaluation for a year: one per (department, year). The year-end run
    drafts it and refreshes it while it is a draft; approval freezes it."""

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("department"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # The figures, as the run found them (None: no data of that kind).
    review_count = models.PositiveIntegerField(_("review scores"), default=0)
    review_mean = models.DecimalField(
        _("mean review score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    referrals = models.PositiveIntegerField(_("referred appeals"), default=0)
    solved_on_time = models.PositiveIntegerField(_("solved by the due date"), default=0)
    visits = models.PositiveIntegerField(_("return visits"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied residents"), default=0)
    appeal_result = models.DecimalField(
        _("referred-appeal result"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    opinion = models.TextField(_("written opinion"), blank=True, max_length=OPINION_MAX_LENGTH)
    # A re-run found new figures but kept the opinion a person had edited: its words may
    # quote the old ones. Cleared when someone saves the opinion again.
    opinion_outdated = models.BooleanField(
        _("figures changed since the opinion was edited"), default=False
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    drafted_at = models.DateTimeField(_("drafted"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("department evaluation")
        verbose_name_plural = _("department evaluations")
        ordering = ["-year", "department__level", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year"], name="evaluation_once_per_department_year"
            ),
            models.CheckConstraint(
                condition=Q(grade__in=Grade.values), name="evaluation_grade_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=EvaluationStatus.DRAFT, approved_at=None)
                | Q(status=EvaluationStatus.APPROVED, approved_at__isnull=False),
                name="evaluation_approved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(solved_on_time__lte=models.F("referrals"))
                & Q(satisfied__lte=models.F("visits")),
                name="evaluation_figures_consistent",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("opinion"), OPINION_MAX_LENGTH),
                name="evaluation_opinion_length",
            ),
        ]

    def __str__(self):
        return f"{self.department} · {self.year}"


# --- Each branch's annual report ---------------------------------------------------------


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")


class BranchReport(models.Model):
    """An estate branch's annual report: one per (estate, year). The year-end run drafts it
    and refreshes its figures while it is a draft; the estate's secretary (or its
    community's staff) publishes it, and a published report is frozen.

    The figures are columns (see governance.reports for how each is counted); two are JSON:
    `meetings` maps a MeetingType value to the meetings held ({"forum": 4, ...}, every type
    present), `categories` maps a five-zero IncidentCategory value to its verified incidents
    in the year, the non-zero ones only ({"pollution": 2})."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="reports", verbose_name=_("estate")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # performance
    received = models.PositiveIntegerField(_("appeals received"), default=0)
    solved = models.PositiveIntegerField(_("appeals solved"), default=0)
    acknowledged_in_time = models.PositiveIntegerField(_("acknowledged in time"), default=0)
    visits = models.PositiveIntegerField(_("return visits done"), default=0)
    visits_answered = models.PositiveIntegerField(_("return visits answered"), default=0)
    visits_satisfied = models.PositiveIntegerField(_("satisfied answers"), default=0)
    meetings = models.JSONField(_("meetings held by type"), default=dict, blank=True)
    five_zero_months = models.PositiveSmallIntegerField(_("five-zero months"), default=0)
    five_zero_year = models.BooleanField(_("five-zero for the whole year"), default=False)
    tasks_done = models.PositiveIntegerField(_("survey tasks done"), default=0)
    tasks_total = models.PositiveIntegerField(_("survey tasks"), default=0)
    # problems
    overdue = models.PositiveIntegerField(_("overdue appeals"), default=0)
    unsolved = models.PositiveIntegerField(_("unsolved appeals"), default=0)
    dissatisfied = models.PositiveIntegerField(_("dissatisfied appeals"), default=0)
    categories = models.JSONField(_("five-zero categories broken"), default=dict, blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=4000)
    drafted_at = models.DateTimeField(_("drafted"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("branch annual report")
        verbose_name_plural = _("branch annual reports")
        ordering = ["-year", "estate__community__name", "estate__name"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "year"], name="report_once_per_estate_year"),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT, published_at=None)
                | Q(status=ReportStatus.PUBLISHED, published_at__isnull=False),
                name="report_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(solved__lte=models.F("received"))
                & Q(acknowledged_in_time__lte=models.F("received"))
                & Q(visits_satisfied__lte=models.F("visits_answered"))
                & Q(visits_answered__lte=models.F("visits"))
                & Q(tasks_done__lte=models.F("tasks_total")),
                name="report_figures_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.estate} · {self.year}"

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED

    @staticmethod
    def _percent(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def resolution_rate(self) -> int | None:
        """Solved / received, in whole percent (None: nothing received)."""
        return self._percent(self.solved, self.received)

    @property
    def satisfaction_rate(self) -> int | None:
        """Satisfied or basically satisfied / answered return visits."""
        return self._percent(self.visits_satisfied, self.visits_answered)

    @property
    def response_rate(self) -> int | None:
        """Acknowledged by the response due time / received."""
        return self._percent(self.acknowledged_in_time, self.received)


class MeasureStatus(models.TextChoices):
    OPEN = "open", _("to do")  # as a survey task's
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


UNFINISHED_MEASURE = (MeasureStatus.OPEN, MeasureStatus.IN_PROGRESS)


class RectificationMeasure(models.Model):
    """What the branch will do about a problem of its report: an owner (staff of the estate
    or its community), a due date, and open → in progress → done, or dropped with a reason.
    Tracked work like a survey task (zeroindex.tracked_work): moved only through
    governance.measures, each move an event; the owner is reminded before the due date."""

    report = models.ForeignKey(
        BranchReport, on_delete=models.CASCADE, related_name="measures", verbose_name=_("report")
    )
    text = models.TextField(_("rectification measure"), max_length=1000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.OPEN
    )
    drop_reason = models.TextField(_("reason for dropping"), max_length=1000, blank=True)
    done_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Due work in a column (claimed by the reminder sweep with a conditional UPDATE).
    remind_at = models.DateTimeField(_("reminder due"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification measure")
        verbose_name_plural = _("rectification measures")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MeasureStatus.values), name="measure_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=MeasureStatus.DROPPED) | ~Q(drop_reason=""),
                name="measure_dropped_has_reason",
                violation_error_message=_("Say why the measure is dropped."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[MeasureStatus.DONE, MeasureStatus.DROPPED], done_at__isnull=False
                )
                | Q(status__in=UNFINISHED_MEASURE, done_at=None),
                name="measure_finished_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="measure_list_idx"),
            models.Index(
                fields=["remind_at"],
                name="measure_remind_idx",
                condition=Q(remind_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.text[:50]

    @property
    def estate(self) -> Estate:
        return self.report.estate

    @property
    def is_overdue(self) -> bool:
        return self.status in UNFINISHED_MEASURE and self.due_on < timezone.localdate()

    @property
    def responsible(self) -> str:
        """Who answers for it, as residents may read it: the branch or the community (the
        owner's role, never the owner's name)."""
        from branches.models import StaffRole

        scope = getattr(self.owner, "staff_scope", None)
        if scope is not None and scope.role == StaffRole.BRANCH_SECRETARY:
            return _("the branch")
        return _("the community")


class MeasureEvent(TrackedWorkEvent):
    """What a move on a measure changed (status, owner, due date, text), by whom and when."""

    measure = models.ForeignKey(
        RectificationMeasure, on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=20, choices=MeasureStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=MeasureStatus.choices, blank=True)

    class Meta(TrackedWorkEvent.Meta):
        verbose_name = _("measure event")
        verbose_name_plural = _("measure events")

    def __str__(self):
        return f"{self.measure_id} {self.from_status}→{self.to_status}"


# --- Who receives the approved opinions, and what happened to each evaluation ------------


class YearEndRecipient(models.Model):
    """Who besides the department receives the year end's approved opinions: the county
    performance office and the town committee, each once, by name and e-mail addresses."""

    class Kind(models.TextChoices):
        PERFORMANCE_OFFICE = "performance_office", _("county performance office")
        TOWN_COMMITTEE = "town_committee", _("town committee")

    kind = models.CharField(_("recipient"), max_length=30, choices=Kind.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    emails = models.CharField(
        _("e-mail addresses"),
        max_length=300,
        blank=True,
        help_text=_("One or more, separated by commas."),
    )

    class Meta:
        verbose_name = _("year-end recipient")
        verbose_name_plural = _("year-end recipients")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["performance_office", "town_committee"]),
                name="yearend_recipient_kind_valid",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        bad = [a for a in self.emails.split(",") if a.strip() and not _is_email(a.strip())]
        if bad:
            raise ValidationError(
                {"emails": _("Not an e-mail address: %(bad)s.") % {"bad": ", ".join(bad)}}
            )


def _is_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


class EvaluationEvent(models.Model):
    """What happened to an evaluation, in order: approved, delivered (to whom, which
    recipients had no address), reopened with a reason."""

    class Kind(models.TextChoices):
        APPROVED = "approved", _("approved")
        DELIVERED = "delivered", _("sent to the recipients")
        REOPENED = "reopened", _("reopened for revision")

    evaluation = models.ForeignKey(
        DepartmentEvaluation,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("department evaluation"),
    )
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("reason or note"), blank=True)

    class Meta:
        verbose_name = _("evaluation event")
        verbose_name_plural = _("evaluation events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["approved", "delivered", "reopened"]),
                name="evaluation_event_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reopened") | ~Q(note=""),
                name="evaluation_reopen_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.evaluation} · {self.get_kind_display()} · v{self.version}"


# --- The year-end run's progress ---------------------------------------------------------


class YearEndState(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")


class YearEndRun(models.Model):
    """The year end's run for a year, one row per year: how far it has got. A re-run resets
    it (a new `attempt`), so chunks of an earlier attempt no longer count."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    state = models.CharField(
        _("state"), max_length=20, choices=YearEndState.choices, default=YearEndState.RUNNING
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    # The chunks of this attempt already counted ("step:index"): a task run twice counts once.
    chunks_done = models.JSONField(default=list, editable=False)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("year-end run")
        verbose_name_plural = _("year-end runs")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="yearend_done_lte_total"
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.done}/{self.total}"


class Heartbeat(models.Model):
    """When a periodic job last completed, one row per entry of the Celery schedule
    (governance/celery.py, named as there) or per sweep of `manage.py run_sweeps`: /healthz
    and the health page show its age, so a beat or workers that stopped are seen as an age
    that grows (governance/heartbeats.py writes it)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    at = models.DateTimeField(_("last completed"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")
        ordering = ["name"]

    def __str__(self):
        return self.name
