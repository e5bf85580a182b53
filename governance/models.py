"""The year end, above the three apps: each department's evaluation for a year (its figures,
score, grade and written opinion, approved by the town committee and delivered once)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
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
