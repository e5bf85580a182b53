"""The log-in lockouts (django-axes) in the admin, for superusers only.

Axes registers its pages with Django's per-model permissions, which a superuser could hand
to a staff account in the user admin; here only superusers see them, whatever permissions a
staff account holds. A superuser unlocks a user or an address by deleting its access
attempts; the failure log and the log-in log stay as the record.

And the year end's department evaluations, for the town committee."""

from collections.abc import Callable
from dataclasses import dataclass

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from branches.queries import checklist_result
from branches.scope import ADD, CHANGE, DELETE, VIEW, may
from branches.scoped_admin import BoundedInline, ObjectActions, ScopedModelAdmin
from meetings.admin.appeals import OverdueFilter as AppealOverdueFilter
from meetings.models import MeetingType, Notification
from meetings.moves import MoveRefused
from zeroindex.models import IncidentCategory
from zeroindex.queries import task_owners_for
from zeroindex.tracked_work import overdue_q

from .documents import five_standards_rows
from .measure_forms import (
    MeasureDropForm,
    MeasureTextForm,
    NewMeasureForm,
    NoteForm,
    NothingForm,
    ReassignForm,
    SetDueForm,
)
from .measures import (
    MEASURES,
    measure_add,
    measure_delete,
    measure_done,
    measure_drop,
    measure_reassign,
    measure_set_due,
    measure_set_text,
    measure_start,
)
from .models import (
    OPINION_MAX_LENGTH,
    BranchReport,
    DepartmentEvaluation,
    EvaluationStatus,
    MeasureStatus,
    RectificationMeasure,
    YearEndRecipient,
    YearEndRun,
)
from .reports import FIGURES as REPORT_FIGURES
from .reports import branch_report_publish, may_publish
from .scope import evaluations_for, measures_for, reports_for, year_end_runs_for
from .yearend import (
    EvaluationRefused,
    dedupe_prefix,
    evaluation_approve,
    evaluation_opinion_set,
    evaluation_reopen,
    evaluation_shown,
)


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
    change_form_template = "admin/governance/departmentevaluation/change_form.html"
    actions = ["approve_selected"]
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
        (_("Opinion"), {"fields": ["opinion", "shown"]}),
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        return super().get_form(request, obj, change, **{"form": EvaluationForm, **kwargs})

    def save_model(self, request, obj, form, change):
        # Only the opinion of a draft is editable, and only from a page that shows it as it
        # is: a stale page changes nothing (change_view shows it again with the words typed).
        try:
            saved = obj.status == EvaluationStatus.DRAFT and evaluation_opinion_set(
                evaluation=obj,
                opinion=form.cleaned_data["opinion"],
                shown=form.cleaned_data.get("shown") or None,
            )
        except EvaluationRefused as refusal:
            raise OpinionNotSaved(refusal.message) from refusal
        if not saved:
            raise OpinionNotSaved(
                _(
                    "This evaluation was approved meanwhile, so your changes were not saved. "
                    "What you typed is below: reopen the evaluation to use it."
                )
            )

    # --- Approve and reopen ----------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(require_POST(view))

        return [
            path("<int:pk>/approve/", wrap(self.approve_view), name="evaluation_approve"),
            path("<int:pk>/reopen/", wrap(self.reopen_view), name="evaluation_reopen"),
            *super().get_urls(),
        ]

    def _evaluation(self, request, pk):
        # Outside the scope: not found, as on the change page.
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _report(self, request, evaluation, delivery):
        messages.success(
            request,
            _(
                "%(evaluation)s approved (version %(version)s): its document is being sent to "
                "%(names)s. The deliveries below show when it has gone."
            )
            % {
                "evaluation": evaluation,
                "version": evaluation.version,
                "names": "、".join(delivery.queued) or "—",
            },
        )
        if delivery.missing:
            messages.warning(
                request,
                _("Not sent to %(names)s: no e-mail address. Add it under year-end recipients.")
                % {"names": "、".join(delivery.missing)},
            )

    def _page(self, evaluation):
        return HttpResponseRedirect(
            reverse("admin:governance_departmentevaluation_change", args=[evaluation.pk])
        )

    def approve_view(self, request, pk):
        evaluation = self._evaluation(request, pk)
        try:
            delivery = evaluation_approve(
                evaluation=evaluation, by=request.user, shown=request.POST.get("shown")
            )
        except EvaluationRefused as refusal:
            messages.error(request, refusal.message)
        else:
            self._report(request, evaluation, delivery)
        return self._page(evaluation)

    def reopen_view(self, request, pk):
        evaluation = self._evaluation(request, pk)
        form = ReopenForm(request.POST)
        try:
            if not form.is_valid():
                if form.has_error("reason", "required"):
                    raise EvaluationRefused(_("Say why the evaluation is reopened."))
                raise EvaluationRefused(" ".join(form.errors["reason"]))  # too long, a NUL
            evaluation_reopen(
                evaluation=evaluation,
                by=request.user,
                reason=form.cleaned_data["reason"],
                shown=request.POST.get("shown"),
            )
        except EvaluationRefused as refusal:
            messages.error(request, refusal.message)
            # the reason typed is kept for the page shown again
            request.session["evaluation_reopen_reason"] = request.POST.get("reason", "")
        else:
            messages.success(
                request,
                _("Reopened as version %(version)s: edit the opinion and approve it again.")
                % {"version": evaluation.version},
            )
        return self._page(evaluation)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        evaluation = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if evaluation is not None:
            typed = request.session.pop("evaluation_reopen_reason", "")
            if evaluation.status != EvaluationStatus.DRAFT:  # frozen: nothing to save
                extra.update(show_save=False, show_save_and_continue=False)
            extra.update(
                shown=evaluation_shown(evaluation),
                may_decide=self.has_change_permission(request, evaluation),
                is_draft=evaluation.status == EvaluationStatus.DRAFT,
                reopen_form=ReopenForm(initial={"reason": typed}),
                unsaved_opinion=request.session.pop("evaluation_unsaved_opinion", ""),
                history=evaluation.events.select_related("by"),
                deliveries=Notification.objects.filter(
                    dedupe_key__startswith=dedupe_prefix(evaluation)
                ).order_by("created_at", "pk"),
            )
        try:
            return super().change_view(request, object_id, form_url, extra)
        except OpinionNotSaved as refusal:
            # approved or changed since the page was opened: say so, and keep what was typed
            messages.error(request, refusal.message)
            opinion = request.POST.get("opinion", "")[:OPINION_MAX_LENGTH]
            request.session["evaluation_unsaved_opinion"] = opinion
            return self._page(evaluation)

    @admin.action(description=_("Approve the selected drafts and deliver them"))
    def approve_selected(self, request, queryset):
        approved, missing = 0, set()
        for evaluation in queryset.filter(status=EvaluationStatus.DRAFT):
            try:
                delivery = evaluation_approve(evaluation=evaluation, by=request.user)
            except EvaluationRefused as refusal:
                messages.error(request, f"{evaluation}: {refusal.message}")
                continue
            approved += 1
            missing.update(delivery.missing)
        messages.success(
            request, _("%(n)s approved: their documents are being sent.") % {"n": approved}
        )
        if missing:
            messages.warning(
                request,
                _("Not sent to %(names)s: no e-mail address. Add it under year-end recipients.")
                % {"names": "、".join(sorted(missing))},
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            actions.pop("approve_selected", None)
        return actions


class OpinionNotSaved(Exception):
    """The opinion was saved from a page of a draft that is no longer one, or no longer
    what the page showed; the message says which."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class EvaluationForm(forms.ModelForm):
    # what the page showed (yearend.evaluation_shown), sent back with the opinion
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["shown"] = evaluation_shown(self.instance)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it reopened?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


@admin.register(YearEndRecipient)
class YearEndRecipientAdmin(admin.ModelAdmin):
    """Who receives the approved opinions besides the department: for the town committee
    and superusers (by the roles of branches.scope)."""

    list_display = ["kind", "name", "emails"]

    def _may(self, request, action):
        return may(request.user, action, YearEndRecipient)

    def has_module_permission(self, request):
        return self._may(request, VIEW)

    def has_view_permission(self, request, obj=None):
        return self._may(request, VIEW)

    def has_add_permission(self, request):
        return self._may(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


# --- Each branch's annual report ---------------------------------------------------------


def measure_status_badge(measure) -> str:
    """The status as a badge, "⚠ overdue" beside it when unfinished past its due date."""
    badge = format_html(
        '<span class="task-badge task-{}">{}</span>', measure.status, measure.get_status_display()
    )
    if measure.is_overdue:
        badge = format_html('{} <span class="task-overdue">⚠ {}</span>', badge, _("overdue"))
    return badge


def _owner_name(user) -> str:
    return user.get_full_name() or user.get_username()


class MeasureListInline(BoundedInline, admin.TabularInline):
    """The report's measures, read-only: each links to its own page, where it moves. While
    the report is a draft a measure may be deleted here (the services decide)."""

    model = RectificationMeasure
    verbose_name_plural = _("rectification measures")
    classes = ["measure-list"]  # survey.css: no second copy of each text above its row
    extra = 0
    fields = ["measure_link", "owner_name", "due_on", "status_mark"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    @admin.display(description=_("rectification measure"))
    def measure_link(self, measure):
        url = reverse("admin:governance_rectificationmeasure_change", args=[measure.pk])
        return format_html('<a href="{}">{}</a>', url, measure.text)

    @admin.display(description=_("owner"))
    def owner_name(self, measure):
        return _owner_name(measure.owner)

    @admin.display(description=_("status"))
    def status_mark(self, measure):
        return measure_status_badge(measure)

    def has_view_permission(self, request, obj=None):
        return may(request.user, VIEW, RectificationMeasure)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        editable = obj is not None and not obj.is_published
        return editable and may(request.user, DELETE, RectificationMeasure)


class MeasureAddInline(BoundedInline, admin.TabularInline):
    """New measures of a draft report (owners: staff working in the estate); saved through
    measure_add, so each has its event and its reminder."""

    model = RectificationMeasure
    form = NewMeasureForm
    verbose_name = _("new rectification measure")
    verbose_name_plural = _("new rectification measures")
    extra = 1
    max_new = 20
    fields = ["text", "owner", "due_on"]

    def get_queryset(self, request):
        return super().get_queryset(request).none()  # the measures are listed above

    def has_view_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        editable = obj is not None and not obj.is_published
        return editable and may(request.user, ADD, RectificationMeasure)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        request._report_estate = obj.estate if obj is not None else None
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            estate = getattr(request, "_report_estate", None)
            kwargs["queryset"] = (
                task_owners_for(estate=estate)
                if estate is not None
                else RectificationMeasure.owner.field.related_model.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(BranchReport)
class BranchReportAdmin(ScopedModelAdmin):
    """Staff of the estate (its secretary, its community's staff) see the run's figures,
    write a summary and the rectification measures, and publish (the button on the page or
    the list's action, both branch_report_publish); the committee reads."""

    gate = reports_for
    change_form_template = "admin/governance/branchreport/change_form.html"
    inlines = [MeasureListInline, MeasureAddInline]
    list_display = ["year", "estate", "received", "solved", "five_zero_months", "status"]
    list_filter = ["year", "status"]
    list_select_related = ["estate__community"]
    search_fields = ["estate__name"]
    actions = ["publish"]
    # the two JSON figures are shown as words (meetings_held, categories_broken)
    FIGURES = [
        "estate",
        "year",
        "status",
        *(
            {"meetings": "meetings_held", "categories": "categories_broken"}.get(f, f)
            for f in REPORT_FIGURES
        ),
        "five_standards",
        "drafted_at",
        "published_by",
        "published_at",
        "public_page",
    ]
    fieldsets = [
        (_("Figures"), {"fields": FIGURES}),
        (_("Summary"), {"fields": ["summary"]}),
    ]

    def has_add_permission(self, request):  # the year-end run drafts them
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_published:
            return False  # frozen
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.FIGURES

    def save_formset(self, request, form, formset, change):
        """New measures and deletions through the services (events, reminders, the draft
        rule); the page's own form saves the summary."""
        report = form.instance
        # what the admin's change message reads
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in getattr(formset, "deleted_forms", []):
            if row.instance.pk:
                measure_delete(measure=row.instance, by=request.user)
                formset.deleted_objects.append(row.instance)
        if issubclass(formset.form, NewMeasureForm):
            for row in formset.extra_forms:
                if row.has_changed() and row.is_valid():
                    formset.new_objects.append(
                        measure_add(
                            report=report,
                            by=request.user,
                            **{
                                name: row.cleaned_data[name] for name in ("text", "owner", "due_on")
                            },
                        )
                    )

    @admin.display(description=_("meetings held by type"))
    def meetings_held(self, report):
        return "; ".join(
            f"{label}: {report.meetings.get(value, 0)}" for value, label in MeetingType.choices
        )

    @admin.display(description=_("five-zero categories broken"))
    def categories_broken(self, report):
        labels = dict(IncidentCategory.choices)
        return "; ".join(f"{labels.get(c, c)}: {n}" for c, n in report.categories.items()) or "—"

    @admin.display(description=_("five-standards checklist"))
    def five_standards(self, report):
        rows = five_standards_rows(checklist_result(estate_id=report.estate_id, year=report.year))
        return "; ".join(f"{label}: {value}" for label, value in rows) or "—"

    @admin.display(description=_("public page"))
    def public_page(self, report):
        if report.pk is None or not report.is_published:
            return "—"
        url = reverse("report_detail", args=[report.year, report.estate_id])
        return format_html('<a href="{}">{}</a>', url, url)

    # --- Publish, from the report's page ---------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(require_POST(self.publish_view)),
                name="governance_branchreport_publish",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if report is not None:
            extra["may_publish"] = not report.is_published and may_publish(
                report=report, user=request.user
            )
            if report.is_published:
                extra["public_url"] = reverse("report_detail", args=[report.year, report.estate_id])
        return super().change_view(request, object_id, form_url, extra)

    def publish_view(self, request, pk):
        report = get_object_or_404(self.get_queryset(request), pk=pk)  # outside: not found
        try:
            report = branch_report_publish(report=report, by=request.user)
        except PermissionDenied:
            messages.error(request, _("You may not publish this report."))
        else:
            url = reverse("report_detail", args=[report.year, report.estate_id])
            messages.success(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("The report is published: residents can read it at"),
                    url,
                    url,
                ),
            )
        return HttpResponseRedirect(
            reverse("admin:governance_branchreport_change", args=[report.pk])
        )

    @admin.action(description=_("Publish the selected reports"))
    def publish(self, request, queryset):
        published = refused = 0
        for report in queryset:
            if report.is_published:
                continue
            try:
                branch_report_publish(report=report, by=request.user)
                published += 1
            except PermissionDenied:
                refused += 1
        if published:
            self.message_user(
                request,
                ngettext("%d report published.", "%d reports published.", published) % published,
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request, _("You may not publish some of the selected reports."), messages.ERROR
            )


# --- The measures, tracked like survey tasks ---------------------------------------------


class MeasureOverdueFilter(AppealOverdueFilter):
    """An unfinished measure past its due date."""

    def overdue(self) -> Q:
        return overdue_q(MEASURES)


class YearFilter(admin.SimpleListFilter):
    """By the report's year (the years that have reports)."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = reports_for(request.user).order_by("-year").values_list("year", flat=True)
        return [(str(y), str(y)) for y in dict.fromkeys(years)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 4:
            return queryset.filter(report__year=int(value))
        return queryset


@dataclass(frozen=True)
class MeasureAction:
    label: str
    form: type  # its fields named for the service's keyword arguments
    run: Callable  # the service: run(measure=, by=, **form.cleaned_data)
    open: Callable  # measure -> bool


def _unfinished(measure) -> bool:
    return measure.status in MEASURES.unfinished


MEASURE_ACTIONS: dict[str, MeasureAction] = {
    "start": MeasureAction(
        _("Start"), NothingForm, measure_start, lambda m: m.status == MeasureStatus.OPEN
    ),
    "done": MeasureAction(_("Mark done"), NoteForm, measure_done, _unfinished),
    "drop": MeasureAction(_("Drop"), MeasureDropForm, measure_drop, _unfinished),
    "reassign": MeasureAction(
        _("Give to another owner"), ReassignForm, measure_reassign, _unfinished
    ),
    "set_due": MeasureAction(_("Change the due date"), SetDueForm, measure_set_due, _unfinished),
    # the text residents will read: only while the report is a draft
    "text": MeasureAction(
        _("Correct the text"),
        MeasureTextForm,
        measure_set_text,
        lambda m: _unfinished(m) and not m.report.is_published,
    ),
}


@admin.register(RectificationMeasure)
class RectificationMeasureAdmin(ObjectActions, ScopedModelAdmin):
    """Every measure of the reports in the user's scope, with overdue marks and filters;
    each measure's page is read-only and moves through its actions (governance.measures)."""

    gate = measures_for
    change_form_template = "admin/governance/rectificationmeasure/change_form.html"
    change_list_template = "admin/governance/rectificationmeasure/change_list.html"
    list_display = ["short_text", "estate_name", "year", "owner_name", "due", "status_mark"]
    list_filter = ["status", MeasureOverdueFilter, "report__estate", YearFilter]
    list_select_related = ["report__estate", "owner"]
    search_fields = ["text"]
    list_per_page = 50
    show_facets = admin.ShowFacets.NEVER
    PAGE_FIELDS = [
        "text",
        "status_mark",
        "report_link",
        "owner_name",
        "due",
        "drop_reason",
        "done_at",
        "created_at",
    ]
    fields = PAGE_FIELDS
    readonly_fields = PAGE_FIELDS

    def has_add_permission(self, request):
        return False  # added on the report's page

    def has_change_permission(self, request, obj=None):
        return False  # read-only: its moves are actions through the services

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("rectification measure"))
    def short_text(self, measure):
        return measure.text if len(measure.text) <= 80 else measure.text[:79] + "…"

    @admin.display(description=_("estate"), ordering="report__estate__name")
    def estate_name(self, measure):
        return measure.report.estate.name

    @admin.display(description=_("year"), ordering="report__year")
    def year(self, measure):
        return measure.report.year

    @admin.display(description=_("owner"))
    def owner_name(self, measure):
        return _owner_name(measure.owner)

    @admin.display(description=_("due"), ordering="due_on")
    def due(self, measure):
        return measure.due_on.strftime("%Y-%m-%d")

    @admin.display(description=_("status"), ordering="status")
    def status_mark(self, measure):
        return measure_status_badge(measure)

    @admin.display(description=_("report"))
    def report_link(self, measure):
        url = reverse("admin:governance_branchreport_change", args=[measure.report_id])
        return format_html('<a href="{}">{}</a>', url, measure.report)

    # The page's actions (branches.scoped_admin.ObjectActions): the measure's moves.
    object_action_table = MEASURE_ACTIONS
    refusal = MoveRefused

    def object_page(self, request, measure):
        offered = {}
        if may(request.user, CHANGE, RectificationMeasure):
            offered = {name: action.open(measure) for name, action in MEASURE_ACTIONS.items()}
        return offered, {"measure": measure, "events": measure.events.select_related("actor")}

    def object_action_form(self, request, measure, name, data=None):
        return MEASURE_ACTIONS[name].form(data, prefix=name, task=measure)

    def object_action_run(self, request, measure, name, data):
        MEASURE_ACTIONS[name].run(measure=measure, by=request.user, **data)


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
