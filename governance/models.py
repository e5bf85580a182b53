"""The year end, above the three apps: each department's evaluation for a year (its figures,
score, grade and written opinion, approved by the town committee and delivered once)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Department


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("excellent")
    QUALIFIED = "qualified", _("qualified")
    UNQUALIFIED = "unqualified", _("unqualified")
    NOT_EVALUATED = "not_evaluated", _("not evaluated")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    APPROVED = "approved", _("approved")


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
    opinion = models.TextField(_("written opinion"), blank=True)
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
        ]

    def __str__(self):
        return f"{self.department} · {self.year}"


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
