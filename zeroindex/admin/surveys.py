"""The survey pages: rounds (with the suggestions' import and turning them into tasks), the
suggestions, and the task list with each task's moves. Every change goes through
zeroindex.services; refusals come back as messages with what was typed kept."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from branches.scope import ADD, CHANGE, estates_for, may
from branches.scoped_admin import ObjectActions, ScopedModelAdmin
from meetings.admin.appeals import OverdueFilter as AppealOverdueFilter
from meetings.moves import MoveRefused

from .. import services
from ..models import Suggestion, SurveyRound, SurveyTask, TaskStatus
from ..queries import completion_of, estate_completion, round_completion, rounds_with_completion
from ..scope import suggestions_for, survey_rounds_for, survey_tasks_for
from ..suggestion_import import MAX_ROWS, ImportFileError, file_to_text, parse_lines
from ..survey_forms import (
    DropForm,
    MakeTasksForm,
    NoteForm,
    NothingForm,
    ReassignForm,
    SetDueForm,
    SuggestionEditForm,
    SuggestionsConfirmForm,
    SuggestionsPasteForm,
    ToAppealForm,
)


def _percent(completion) -> str:
    return "—" if completion.percent is None else f"{completion.percent}%"


def task_status_badge(task) -> str:
    """The status as a badge: a colour and a symbol (both in survey.css), so it reads in
    black and white too."""
    return format_html(
        '<span class="task-badge task-{}">{}</span>', task.status, task.get_status_display()
    )


def due_mark(task) -> str:
    day = task.due_on.strftime("%Y-%m-%d")
    if task.is_overdue:
        return format_html('<span class="task-overdue">⚠ {} · {}</span>', _("overdue"), day)
    return day


# --- survey rounds ---------------------------------------------------------------------------


@admin.register(SurveyRound)
class SurveyRoundAdmin(ScopedModelAdmin):
    gate = survey_rounds_for
    change_form_template = "admin/zeroindex/surveyround/change_form.html"
    list_display = [
        "title",
        "estate",
        "started_on",
        "residents_asked",
        "suggestions_count",
        "tasks_count",
        "done_count",
        "overdue_count",
        "rate",
    ]
    list_filter = ["estate"]
    list_select_related = ["estate"]
    search_fields = ["title"]
    fields = ["estate", "title", "started_on", "ended_on", "residents_asked"]

    def get_queryset(self, request):
        return rounds_with_completion(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        # The suggestions and tasks belong to the round's estate: it never changes.
        return ["estate"] if obj is not None else []

    @admin.display(description=gettext_lazy("suggestions"))
    def suggestions_count(self, obj):
        return obj.n_suggestions

    @admin.display(description=gettext_lazy("tasks"))
    def tasks_count(self, obj):
        if not obj.n_tasks:
            return 0
        url = reverse("admin:zeroindex_surveytask_changelist")
        return format_html('<a href="{}?round={}">{}</a>', url, obj.pk, obj.n_tasks)

    @admin.display(description=gettext_lazy("done"))
    def done_count(self, obj):
        return obj.n_done

    @admin.display(description=gettext_lazy("overdue"))
    def overdue_count(self, obj):
        if not obj.n_overdue:
            return 0
        url = reverse("admin:zeroindex_surveytask_changelist")
        return format_html(
            '<a class="task-overdue" href="{}?round={}&amp;overdue=yes">⚠ {}</a>',
            url,
            obj.pk,
            obj.n_overdue,
        )

    @admin.display(description=gettext_lazy("completion"))
    def rate(self, obj):
        return _percent(completion_of(obj))

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.survey_round_create(
            **{name: form.cleaned_data[name] for name in self.fields}, by=request.user
        )
        obj.pk = created.pk
        obj._state.adding = False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/suggestions/",
                self.admin_site.admin_view(self.suggestions_view),
                name="zeroindex_surveyround_suggestions",
            ),
            path(
                "<path:object_id>/tasks/",
                self.admin_site.admin_view(self.make_tasks_view),
                name="zeroindex_surveyround_tasks",
            ),
            *super().get_urls(),
        ]

    # The round's page: its figures, its suggestions and the form turning them into tasks.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            survey = self.get_object(request, object_id)
            if survey is not None:
                extra_context.update(self._page_context(request, survey, extra_context))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _page_context(self, request, survey, extra):
        suggestions = list(
            survey.suggestions.select_related("category", "building", "task__owner").order_by(
                "number"
            )
        )
        tasks_form = extra.get("tasks_form")
        may_task = may(request.user, ADD, SurveyTask)
        if tasks_form is None and may_task:
            tasks_form = MakeTasksForm(round=survey)
        chosen = (
            set(tasks_form.data.getlist("suggestions"))
            if tasks_form and tasks_form.is_bound
            else set()
        )
        return {
            "survey": survey,
            "completion": round_completion(round=survey),
            "suggestions": suggestions,
            "chosen": chosen,
            "tasks_form": tasks_form if may_task else None,
            "may_add_suggestions": may(request.user, ADD, Suggestion),
        }

    def make_tasks_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        survey = self.get_object(request, object_id)
        if survey is None:
            raise Http404
        form = MakeTasksForm(request.POST, round=survey)
        if form.is_valid():
            try:
                tasks = services.task_create_from_suggestions(
                    suggestions=form.cleaned_data["suggestions"],
                    owner=form.cleaned_data["owner"],
                    due_on=form.cleaned_data["due_on"],
                    by=request.user,
                )
            except MoveRefused as refused:
                messages.error(request, refused.message)
            else:
                messages.success(
                    request,
                    ngettext("%(n)d task made.", "%(n)d tasks made.", len(tasks))
                    % {"n": len(tasks)},
                )
                return redirect(reverse("admin:zeroindex_surveyround_change", args=[survey.pk]))
        else:
            messages.error(request, _("Making tasks: please correct what is marked."))
        return self.change_page_again(request, survey, {"tasks_form": form})

    # Adding suggestions: paste or file → preview → confirm.

    def suggestions_view(self, request, object_id):
        survey = self.get_object(request, object_id)
        if survey is None:
            raise Http404
        if not may(request.user, ADD, Suggestion):
            raise Http404
        page = reverse("admin:zeroindex_surveyround_change", args=[survey.pk])
        form = SuggestionsPasteForm()
        preview = None
        confirmed_text = ""
        if request.method == "POST" and "_confirm" in request.POST:
            confirm = SuggestionsConfirmForm(request.POST)
            if confirm.is_valid():
                confirmed_text = confirm.cleaned_data["confirmed_text"]
                preview = parse_lines(confirmed_text, estate=survey.estate)  # again: never trust
                if preview.ok:
                    try:
                        added = services.suggestions_add(
                            round=survey,
                            items=[row.as_input() for row in preview.rows],
                            by=request.user,
                        )
                    except MoveRefused as refused:
                        messages.error(request, refused.message)
                    else:
                        messages.success(
                            request,
                            ngettext(
                                "%(n)d suggestion added.", "%(n)d suggestions added.", len(added)
                            )
                            % {"n": len(added)},
                        )
                        return redirect(page)
                else:
                    messages.error(request, _("Nothing was saved: correct the rows marked."))
                form = SuggestionsPasteForm(initial={"text": confirmed_text})
            else:
                messages.error(request, _("Nothing was saved: preview the list again."))
        elif request.method == "POST":
            form = SuggestionsPasteForm(request.POST, request.FILES)
            if form.is_valid():
                if form.cleaned_data["file"]:
                    try:
                        confirmed_text = file_to_text(form.cleaned_data["file"])
                    except ImportFileError as error:
                        form.add_error("file", str(error))
                    else:  # its rows as lines in the box, to correct there if need be
                        form = SuggestionsPasteForm(initial={"text": confirmed_text})
                else:
                    confirmed_text = form.cleaned_data["text"]
                if confirmed_text:
                    preview = parse_lines(confirmed_text, estate=survey.estate)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "survey": survey,
            "form": form,
            "preview": preview,
            "confirm": SuggestionsConfirmForm(initial={"confirmed_text": confirmed_text})
            if preview is not None and preview.ok
            else None,
            "title": _("Add suggestions: %(round)s") % {"round": survey.title},
            "page": page,
            "max_rows": MAX_ROWS,
        }
        return TemplateResponse(
            request, "admin/zeroindex/surveyround/add_suggestions.html", context
        )


# --- suggestions -----------------------------------------------------------------------------


@admin.register(Suggestion)
class SuggestionAdmin(ScopedModelAdmin):
    gate = suggestions_for
    list_display = ["number", "short_text", "category", "building", "round", "task_link"]
    list_display_links = ["number", "short_text"]
    list_filter = ["round", "category"]
    list_select_related = ["round__estate", "category", "building", "task"]
    search_fields = ["text"]
    fields = ["round", "number", "text", "category", "building"]
    readonly_fields = ["round", "number"]
    form = SuggestionEditForm

    def has_add_permission(self, request):
        return False  # suggestions are added on their round's page (pasted or from a file)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:  # the building list: its round's estate's only
            buildings = form.base_fields["building"]
            buildings.queryset = buildings.queryset.filter(estate=obj.round.estate_id)
        return form

    @admin.display(description=gettext_lazy("suggestion"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    @admin.display(description=gettext_lazy("task"))
    def task_link(self, obj):
        task = getattr(obj, "task", None)
        if task is None:
            return "—"
        url = reverse("admin:zeroindex_surveytask_change", args=[task.pk])
        return format_html('<a href="{}">{}</a>', url, task_status_badge(task))


# --- tasks -----------------------------------------------------------------------------------


class OverdueFilter(AppealOverdueFilter):
    """An unfinished task past its due date."""

    def overdue(self) -> Q:
        return Q(status__in=services.UNFINISHED, due_on__lt=timezone.localdate())


class RoundFilter(admin.SimpleListFilter):
    """By survey round (the rounds the user may see)."""

    title = gettext_lazy("survey round")
    parameter_name = "round"

    def lookups(self, request, model_admin):
        return [
            (str(r.pk), str(r)) for r in survey_rounds_for(request.user).select_related("estate")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) < 19:
            return queryset.filter(suggestion__round_id=int(value))
        return queryset


@dataclass(frozen=True)
class TaskAction:
    label: str
    form: type  # its fields named for the service's keyword arguments
    run: Callable  # the service: run(task=, by=, **form.cleaned_data)
    open: Callable  # task -> bool


def _unfinished(task) -> bool:
    return task.status in services.UNFINISHED


TASK_ACTIONS: dict[str, TaskAction] = {
    "start": TaskAction(
        gettext_lazy("Start"),
        NothingForm,
        services.task_start,
        lambda task: task.status == TaskStatus.OPEN,
    ),
    "done": TaskAction(gettext_lazy("Mark done"), NoteForm, services.task_done, _unfinished),
    "drop": TaskAction(gettext_lazy("Drop"), DropForm, services.task_drop, _unfinished),
    "reassign": TaskAction(
        gettext_lazy("Give to another owner"), ReassignForm, services.task_reassign, _unfinished
    ),
    "set_due": TaskAction(
        gettext_lazy("Change the due date"), SetDueForm, services.task_set_due, _unfinished
    ),
    "to_appeal": TaskAction(
        gettext_lazy("File as an appeal"),
        ToAppealForm,
        services.task_to_appeal,
        lambda task: _unfinished(task) and task.appeal_id is None,
    ),
}


@admin.register(SurveyTask)
class SurveyTaskAdmin(ObjectActions, ScopedModelAdmin):
    gate = survey_tasks_for
    change_form_template = "admin/zeroindex/surveytask/change_form.html"
    change_list_template = "admin/zeroindex/surveytask/change_list.html"
    list_display = ["title", "estate", "round_title", "owner_name", "due", "status_badge"]
    list_filter = ["status", OverdueFilter, "estate", RoundFilter, "owner"]
    list_select_related = ["estate", "owner", "suggestion__round"]
    search_fields = ["title"]
    list_per_page = 50
    show_facets = admin.ShowFacets.NEVER
    PAGE_FIELDS = [
        "title",
        "status_badge",
        "estate",
        "round_title",
        "suggestion_text",
        "owner_name",
        "due",
        "appeal_link",
        "drop_reason",
        "done_at",
    ]
    fields = PAGE_FIELDS
    readonly_fields = PAGE_FIELDS

    def has_add_permission(self, request):
        return False  # tasks are made from suggestions, on their round's page

    def has_change_permission(self, request, obj=None):
        return False  # the page is read-only: its moves are actions through the services

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("survey round"))
    def round_title(self, task):
        return task.suggestion.round.title

    @admin.display(description=gettext_lazy("owner"), ordering="owner")
    def owner_name(self, task):
        return task.owner.get_full_name() or task.owner.get_username()

    @admin.display(description=gettext_lazy("due"), ordering="due_on")
    def due(self, task):
        return due_mark(task)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_badge(self, task):
        return task_status_badge(task)

    @admin.display(description=gettext_lazy("suggestion"))
    def suggestion_text(self, task):
        s = task.suggestion
        parts = [f"{s.number}. {s.text}"]
        if s.category_id:
            parts.append(f"{_('category')}: {s.category}")
        if s.building_id:
            parts.append(f"{_('building')}: {s.building.name}")
        return " · ".join(parts)

    @admin.display(description=gettext_lazy("appeal"))
    def appeal_link(self, task):
        if task.appeal_id is None:
            return "—"
        url = reverse("admin:meetings_appeal_change", args=[task.appeal_id])
        return format_html('<a href="{}">{}</a>', url, task.appeal.display_code)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["estate_completion"] = estate_completion(estates=estates_for(request.user))
        return super().changelist_view(request, extra_context)

    # The page's actions (branches.scoped_admin.ObjectActions): the task's moves.
    object_action_table = TASK_ACTIONS
    refusal = MoveRefused

    def object_page(self, request, task):
        offered = {}
        if may(request.user, CHANGE, SurveyTask):
            offered = {name: action.open(task) for name, action in TASK_ACTIONS.items()}
        return offered, {"task": task, "events": task.events.select_related("actor")}

    def object_action_form(self, request, task, name, data=None):
        return TASK_ACTIONS[name].form(data, prefix=name, task=task)

    def object_action_run(self, request, task, name, data):
        TASK_ACTIONS[name].run(task=task, by=request.user, **data)
