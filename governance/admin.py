"""The log-in lockouts (django-axes) in the admin, for superusers only.

Axes registers its pages with Django's per-model permissions, which a superuser could hand
to a staff account in the user admin; here only superusers see them, whatever permissions a
staff account holds. A superuser unlocks a user or an address by deleting its access
attempts; the failure log and the log-in log stay as the record.

And the year end's department evaluations, for the town committee."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from branches.scoped_admin import ScopedModelAdmin

from .models import DepartmentEvaluation, EvaluationStatus, YearEndRun
from .scope import evaluations_for, year_end_runs_for
from .yearend import evaluation_opinion_set


class SuperusersOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LockoutAdmin(SuperusersOnly, AccessAttemptAdmin):
    def has_delete_permission(self, request, obj=None):  # deleting is unlocking
        return request.user.is_active and request.user.is_superuser


class RecordAdmin(SuperusersOnly):
    def has_delete_permission(self, request, obj=None):  # the record stays
        return False


class FailureRecordAdmin(RecordAdmin, AccessFailureLogAdmin):
    pass


class LogInRecordAdmin(RecordAdmin, AccessLogAdmin):
    pass


for model in (AccessAttempt, AccessFailureLog, AccessLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
admin.site.register(AccessAttempt, LockoutAdmin)
admin.site.register(AccessFailureLog, FailureRecordAdmin)
admin.site.register(AccessLog, LogInRecordAdmin)


# --- The year end ------------------------------------------------------------------------


@admin.register(DepartmentEvaluation)
class DepartmentEvaluationAdmin(ScopedModelAdmin):
    """The town committee reviews each draft: the figures as the run found them, read-only,
    and the written opinion, editable while it is a draft."""

    gate = evaluations_for
    list_display = ["year", "department", "score", "grade", "status"]
    list_filter = ["year", "grade", "status"]
    list_select_related = ["department"]
    search_fields = ["department__name", "department__name_en"]
    FIGURES = [
        "department",
        "year",
        "status",
        "version",
        "review_count",
        "review_mean",
        "referrals",
        "solved_on_time",
        "visits",
        "satisfied",
        "appeal_result",
        "score",
        "grade",
        "drafted_at",
        "approved_by",
        "approved_at",
        "document",
    ]
    fieldsets = [
        (_("Figures"), {"fields": FIGURES}),
        (_("Opinion"), {"fields": ["opinion"]}),
    ]

    def has_add_permission(self, request):  # the year-end run drafts them
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("document"))
    def document(self, evaluation):
        if evaluation.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">PDF</a>',
            reverse("evaluation_document", args=[evaluation.pk]),
            _("printable page"),
            reverse("evaluation_document_pdf", args=[evaluation.pk]),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != EvaluationStatus.DRAFT:
            return [*self.FIGURES, "opinion"]
        return self.FIGURES

    def save_model(self, request, obj, form, change):
        # Only the opinion of a draft is editable: refuse a stale page of an approved one.
        if obj.status != EvaluationStatus.DRAFT or not evaluation_opinion_set(
            evaluation=obj, opinion=form.cleaned_data["opinion"]
        ):
            raise PermissionDenied(_("An approved evaluation is not edited here."))


@admin.register(YearEndRun)
class YearEndRunAdmin(ScopedModelAdmin):
    """The year-end run of each year, read-only: how far it has got (done / total)."""

    gate = year_end_runs_for
    list_display = ["year", "state", "progress", "started_at", "finished_at"]
    fields = ["year", "state", "progress", "total", "done", "attempt", "started_at", "finished_at"]
    readonly_fields = fields

    @admin.display(description=_("progress"))
    def progress(self, run):
        percent = 100 * run.done // run.total if run.total else 100
        return f"{run.done} / {run.total} ({percent}%)"

    def has_add_permission(self, request):  # started by the schedule or manage.py year_end
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
