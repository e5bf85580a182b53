"""Staff pages for appeals and meetings. Every change goes through meetings.services; these
classes only show, collect input and report what the service said."""

import re
from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Building
from branches.scope import CHANGE, is_secretary, may, staff_users_for
from branches.scoped_admin import ScopedModelAdmin

from . import notifications, services
from .forms import StaffReturnVisitForm
from .models import (
    Appeal,
    AppealCategory,
    Department,
    Meeting,
    MeetingType,
    Notification,
    Source,
    Status,
)
from .queries import appeal_by_code
from .scope import appeal_categories_for, appeals_for, departments_for, meetings_for
from .tracking import normalize_code

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows, so a list of a million appeals never counts them all."""

    CAP = 2_000

    @cached_property
    def count(self):
        # Unordered: counting needs no sort of the whole table before the limit.
        return self.object_list.order_by()[: self.CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.CAP


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue")), ("no", _("on time"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(next_due_at__lt=now)
        if self.value() == "no":
            return queryset.exclude(next_due_at__lt=now)
        return queryset


STATUS_COLOURS = {
    Status.RECEIVED: "#0d6efd",
    Status.COORDINATING: "#6f42c1",
    Status.HEARING: "#d63384",
    Status.REFERRED: "#fd7e14",
    Status.IN_PROGRESS: "#0dcaf0",
    Status.RESOLVED: "#198754",
    Status.REOPENED: "#dc3545",
    Status.CLOSED: "#6c757d",
}


def status_badge(appeal):
    text = appeal.get_status_display()
    if appeal.status == Status.CLOSED and appeal.closure_reason:
        text = f"{text} · {appeal.get_closure_reason_display()}"
    return format_html(
        '<span class="status-badge" style="background:{};color:#fff;padding:2px 6px;'
        'border-radius:4px;white-space:nowrap">{}</span>',
        STATUS_COLOURS[appeal.status],
        text,
    )


class StaffAppealForm(forms.ModelForm):
    """What a clerk enters for an appeal heard by phone, at a home visit, …"""

    class Meta:
        model = Appeal
        fields = [
            "estate",
            "building",
            "category",
            "title",
            "description",
            "source",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:  # entering a new appeal (the appeal page is read-only)
            self.fields["source"].choices = [
                (value, label) for value, label in Source.choices if value != Source.WEB_FORM
            ]
            self.fields["source"].initial = Source.PHONE


# --- Forms of the actions on an appeal's page ---------------------------------------------


class NoteForm(forms.Form):
    public_note = forms.CharField(
        label=gettext_lazy("Note for the resident"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    internal_note = forms.CharField(
        label=gettext_lazy("Internal note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportFixForm(NoteForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["public_note"].required = True
        self.fields["public_note"].label = _("What was done (the resident reads it)")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the resident reads it)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DepartmentForm(NoteForm):
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Department.objects.filter(active=True)
    )


class DuplicateForm(forms.Form):
    original = forms.CharField(label=gettext_lazy("Tracking code of the original appeal"))


class ReassignForm(forms.Form):
    handler = forms.ModelChoiceField(label=gettext_lazy("Handler"), queryset=None)
    note = forms.CharField(label=gettext_lazy("Internal note"), required=False, max_length=500)


class ExtendForm(forms.Form):
    until = forms.DateField(
        label=gettext_lazy("New due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=gettext_lazy("Meeting"), queryset=None)


# action → (label, form class); where each is offered: _offered()
ACTIONS = {
    # the step the appeal is waiting for comes first; the page opens the first one offered
    "acknowledge": (gettext_lazy("Acknowledge"), NoteForm),
    "report_fix": (gettext_lazy("Report the fix"), ReportFixForm),
    "return_visit": (gettext_lazy("Record the return visit"), StaffReturnVisitForm),
    "department_accept": (gettext_lazy("Department accepts"), NoteForm),
    "department_send_back": (gettext_lazy("Department sends it back"), ReasonForm),
    "route_handle": (gettext_lazy("Handle directly (simple matter)"), NoteForm),
    "route_refer": (gettext_lazy("Refer to a department"), DepartmentForm),
    "refer": (gettext_lazy("Refer to a department"), DepartmentForm),
    "decline": (gettext_lazy("Decline"), ReasonForm),
    "agenda": (gettext_lazy("Put on a meeting's agenda"), AgendaForm),
    "reassign": (gettext_lazy("Change the handler"), ReassignForm),
    "extend": (gettext_lazy("Extend the due date"), ExtendForm),
    "close_duplicate": (gettext_lazy("Close as a duplicate"), DuplicateForm),
}
SECRETARY_ONLY = {"route_handle", "route_refer", "decline"}
ACTION_MOVE = {"return_visit": "visit_solved"}  # offered where its moves are


def _offered(action: str, appeal: Appeal, user) -> bool:
    if not appeal.is_open:
        return False
    if action in ("reassign", "extend", "agenda"):
        return True
    if action == "acknowledge" and appeal.acknowledged_at:
        return False
    if action in SECRETARY_ONLY and not is_secretary(user):
        return False
    move = services.MOVES[ACTION_MOVE.get(action, action)]
    return appeal.status in move.sources


def _bind(action, request, appeal, data=None):
    form = ACTIONS[action][1](data, prefix=action)
    if action == "reassign":
        form.fields["handler"].queryset = staff_users_for(request.user)
        form.initial["handler"] = appeal.handler_id
    if action == "agenda":
        form.fields["meeting"].queryset = (
            meetings_for(request.user)
            .filter(closed_at__isnull=True, community=appeal.estate.community_id)
            .filter(Q(estate__isnull=True) | Q(estate=appeal.estate_id))
            .exclude(type=MeetingType.FORUM)
            .order_by("-held_at")
        )
    return form


def _end_of_day(day):
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def _run(action, request, appeal, form):
    """Call the service for an action whose form is valid."""
    data, by = form.cleaned_data, request.user
    if action == "acknowledge":
        return services.appeal_acknowledge(appeal=appeal, by=by, public_note=data["public_note"])
    if action == "route_handle":
        return services.appeal_route(
            appeal=appeal,
            to="handle",
            by=by,
            public_note=data["public_note"],
            internal_note=data["internal_note"],
        )
    if action == "route_refer":
        return services.appeal_route(
            appeal=appeal,
            to="refer",
            by=by,
            department=data["department"],
            public_note=data["public_note"],
            internal_note=data["internal_note"],
        )
    if action == "decline":
        return services.appeal_decline(appeal=appeal, by=by, reason=data["reason"])
    if action == "close_duplicate":
        original = appeal_by_code(data["original"])
        if original is None:
            raise services.MoveRefused(_("No appeal has that tracking code."))
        return services.appeal_close_duplicate(appeal=appeal, original=original, by=by)
    if action == "department_accept":
        return services.appeal_department_accept(
            appeal=appeal, by=by, public_note=data["public_note"]
        )
    if action == "department_send_back":
        return services.appeal_department_send_back(appeal=appeal, by=by, reason=data["reason"])
    if action == "refer":
        return services.appeal_refer(
            appeal=appeal,
            by=by,
            department=data["department"],
            public_note=data["public_note"],
            internal_note=data["internal_note"],
        )
    if action == "report_fix":
        return services.appeal_report_fix(
            appeal=appeal,
            by=by,
            public_note=data["public_note"],
            internal_note=data["internal_note"],
        )
    if action == "return_visit":
        return services.appeal_record_return_visit(
            appeal=appeal,
            by=by,
            channel=data["channel"],
            reached=data["reached"],
            solved=data["solved"],
            satisfaction=data["satisfaction"],
            note=data["note"],
        )
    if action == "reassign":
        return services.appeal_reassign(
            appeal=appeal, by=by, handler=data["handler"], note=data["note"]
        )
    if action == "extend":
        return services.appeal_extend_due(
            appeal=appeal, by=by, until=_end_of_day(data["until"]), reason=data["reason"]
        )
    if action == "agenda":
        return services.meeting_add_to_agenda(meeting=data["meeting"], appeal=appeal, by=by)
    raise Http404


@admin.register(Appeal)
class AppealAdmin(ScopedModelAdmin):
    gate = appeals_for
    form = StaffAppealForm
    change_form_template = "admin/meetings/appeal/change_form.html"
    # Only columns an index can sort stay sortable: a sort of a million rows is no page.
    list_display = [
        "code_link",
        "title_text",
        "estate_name",
        "status_display",
        "age",
        "next_due",
        "handler_name",
    ]
    list_display_links = None
    list_filter = [
        "status",
        "estate",
        "category",
        "source",
        OverdueFilter,
        "department",
        "handler",
    ]
    list_select_related = ["estate", "handler"]
    list_per_page = 50
    list_max_show_all = 0  # "show all" of a million appeals is never wanted
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["title"]  # replaced by get_search_results below
    search_help_text = gettext_lazy(
        "A tracking code, a whole mobile number, or words of the title."
    )
    autocomplete_fields = ["building"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        phone = re.sub(r"[\s-]", "", term)
        if MOBILE.match(phone):
            return queryset.filter(contact_phone=phone), False
        code = normalize_code(term)
        if code:
            return queryset.filter(code=code), False
        return queryset.filter(title__icontains=term), False

    @admin.display(description=gettext_lazy("code"), ordering="code")
    def code_link(self, appeal):
        url = reverse("admin:meetings_appeal_change", args=[appeal.pk])
        return format_html('<a href="{}" class="font-monospace">{}</a>', url, appeal.display_code)

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_display(self, appeal):
        return status_badge(appeal)

    @admin.display(description=gettext_lazy("title"))
    def title_text(self, appeal):
        return appeal.title

    @admin.display(description=gettext_lazy("estate"))
    def estate_name(self, appeal):
        return appeal.estate.name

    @admin.display(description=gettext_lazy("handler"))
    def handler_name(self, appeal):
        if appeal.handler is None:
            return "—"
        return appeal.handler.get_full_name() or appeal.handler.get_username()

    @admin.display(description=gettext_lazy("age"), ordering="pk")
    def age(self, appeal):
        return timesince(appeal.created_at, depth=1)

    @admin.display(description=gettext_lazy("next due"), ordering="next_due_at")
    def next_due(self, appeal):
        if appeal.next_due_at is None:
            return "—"
        day = timezone.localtime(appeal.next_due_at).strftime("%Y-%m-%d")
        if appeal.is_overdue:
            return format_html(
                '<span class="overdue" style="color:#fff;background:#dc3545;padding:2px 6px;'
                'border-radius:4px;white-space:nowrap">{} · {}</span>',
                _("overdue"),
                day,
            )
        return day

    # --- the appeal page -----------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "code_display",
            "status_display",
            "estate",
            "building",
            "category",
            "title",
            "description",
            "source",
            "contact_name",
            "contact_phone",
            "handler",
            "department",
            "created_at",
            "acknowledged_at",
            "next_due_at",
            "duplicate_of",
            "repeat_of",
        ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return StaffAppealForm.Meta.fields
        return self.get_readonly_fields(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": StaffAppealForm.Meta.fields})]
        return [
            (None, {"fields": ["code_display", "status_display", "title", "description"]}),
            (_("Where and what"), {"fields": ["estate", "building", "category", "source"]}),
            (_("Resident"), {"fields": ["contact_name", "contact_phone"]}),
            (
                _("Handling"),
                {
                    "fields": [
                        "handler",
                        "department",
                        "created_at",
                        "acknowledged_at",
                        "next_due_at",
                        "duplicate_of",
                        "repeat_of",
                    ]
                },
            ),
        ]

    @admin.display(description=gettext_lazy("tracking code"))
    def code_display(self, appeal):
        return appeal.display_code

    def get_urls(self):
        return [
            path(
                "<path:object_id>/act/<str:action>/",
                self.admin_site.admin_view(self.act_view),
                name="meetings_appeal_act",
            ),
            path(
                "<path:object_id>/photo/<int:photo_id>/",
                self.admin_site.admin_view(self.photo_view),
                name="meetings_appeal_photo",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        if change:  # the appeal page changes nothing through the form: only through actions
            return
        fields = StaffAppealForm.Meta.fields  # exactly appeal_submit's keyword arguments
        created = services.appeal_submit(
            **{name: form.cleaned_data[name] for name in fields}, by=request.user
        )
        obj.pk, obj.code = created.pk, created.code
        obj._state.adding = False

    def has_change_permission(self, request, obj=None):
        # The page is read-only; actions check their own permission through the services.
        return False

    def has_view_permission(self, request, obj=None):
        return may(request.user, "view", Appeal)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            appeal = self.get_object(request, object_id)
            if appeal is not None:
                extra_context.update(
                    self._page_context(request, appeal, extra_context.get("bound_action"))
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _page_context(self, request, appeal, bound=None):
        can_act = may(request.user, CHANGE, Appeal)
        actions = []
        if can_act:
            for action, (label, _form) in ACTIONS.items():
                if _offered(action, appeal, request.user):
                    form = (
                        bound
                        if bound and bound.prefix == action
                        else _bind(action, request, appeal)
                    )
                    actions.append(
                        {"name": action, "label": label, "form": form, "open": form.is_bound}
                    )
        events = appeal.events.select_related("actor", "meeting").order_by("created_at", "pk")
        meetings = appeal.meetings.select_related("estate", "community").order_by("-held_at")
        return {
            "appeal": appeal,
            "events": events,
            "photos": appeal.photos.all(),
            "appeal_actions": actions,
            "agenda_meetings": meetings,
            "duplicates": appeal.duplicates.all(),
            "repeats": appeal.repeats.all(),
            "return_visits": appeal.return_visits.select_related("by"),
            "meeting_bound": appeal.is_open
            and appeal.status
            in (Status.RECEIVED, Status.REOPENED, Status.COORDINATING, Status.HEARING),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }

    def act_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        appeal = self.get_object(request, object_id)
        if appeal is None or action not in ACTIONS:
            raise Http404
        page = reverse("admin:meetings_appeal_change", args=[appeal.pk])
        if not may(request.user, CHANGE, Appeal):
            messages.error(request, _("You can read appeals but not change them."))
            return redirect(page)
        form = _bind(action, request, appeal, request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("%(action)s: please correct what is marked.") % {"action": ACTIONS[action][0]},
            )
            return self._page_again(request, appeal, form)
        try:
            _run(action, request, appeal, form)
        except services.MoveRefused as refused:
            messages.error(request, refused.message)
            appeal.refresh_from_db()
            return self._page_again(request, appeal, form)
        messages.success(request, _("%(action)s: done.") % {"action": ACTIONS[action][0]})
        appeal.refresh_from_db()
        if action == "extend" and appeal.is_overdue:
            messages.warning(
                request,
                _(
                    "The appeal is still overdue: an earlier step (such as acknowledging it) "
                    "is late."
                ),
            )
        return redirect(page)

    def _page_again(self, request, appeal, form):
        """The appeal page again, with the action's form as it was typed and its errors."""
        return self.change_page_again(request, appeal, {"bound_action": form})

    def photo_view(self, request, object_id, photo_id):
        appeal = self.get_object(request, object_id)
        if appeal is None:
            raise Http404
        photo = appeal.photos.filter(pk=photo_id).first()
        if photo is None:
            raise Http404
        response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- Meetings -----------------------------------------------------------------------------


class ForumRowForm(forms.Form):
    """One appeal heard at a forum, one line on the page."""

    title = forms.CharField(label=gettext_lazy("Problem"), max_length=100, required=False)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=AppealCategory.objects.filter(active=True),
        required=False,
    )
    building = forms.ModelChoiceField(label=gettext_lazy("Building"), queryset=None, required=False)
    contact_name = forms.CharField(label=gettext_lazy("Resident"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=gettext_lazy("Mobile phone"), max_length=11, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if self.has_changed():
            if not cleaned.get("title"):
                self.add_error("title", _("Say what the problem is."))
            if not cleaned.get("category"):
                self.add_error("category", _("Choose a category."))
            phone = cleaned.get("contact_phone", "")
            if phone and not MOBILE.match(phone):
                self.add_error("contact_phone", _("Enter an 11-digit mainland mobile number."))
        return cleaned


ForumRows = forms.formset_factory(ForumRowForm, extra=6, max_num=50)


class OutcomeForm(forms.Form):
    appeal = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.CharField(widget=forms.HiddenInput)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.filter(active=True),
        required=False,
    )
    public_note = forms.CharField(
        label=gettext_lazy("Note for the resident"), required=False, max_length=1000
    )
    eligible = forms.IntegerField(
        label=gettext_lazy("eligible"), min_value=0, max_value=100_000, required=False
    )
    present = forms.IntegerField(
        label=gettext_lazy("present"), min_value=0, max_value=100_000, required=False
    )
    votes_for = forms.IntegerField(
        label=gettext_lazy("for"), min_value=0, max_value=100_000, required=False
    )
    votes_against = forms.IntegerField(
        label=gettext_lazy("against"), min_value=0, max_value=100_000, required=False
    )
    abstain = forms.IntegerField(
        label=gettext_lazy("abstain"), min_value=0, max_value=100_000, required=False
    )


# Outcomes each meeting type records, for appeals in the statuses given.
OUTCOMES = {
    MeetingType.PARTY_MASSES: [
        ("handle", gettext_lazy("Handle directly"), {Status.RECEIVED, Status.REOPENED}),
        ("coordinate", gettext_lazy("Coordination meeting"), {Status.RECEIVED, Status.REOPENED}),
        ("major", gettext_lazy("Major issue: hearing"), {Status.RECEIVED, Status.REOPENED}),
        ("refer", gettext_lazy("Refer to a department"), {Status.RECEIVED, Status.REOPENED}),
        ("decline", gettext_lazy("Decline"), {Status.RECEIVED, Status.REOPENED}),
    ],
    MeetingType.COORDINATION: [
        ("agreed", gettext_lazy("Agreement reached"), {Status.COORDINATING}),
        ("major", gettext_lazy("No agreement: hearing"), {Status.COORDINATING}),
        ("refer", gettext_lazy("No agreement: refer"), {Status.COORDINATING}),
        ("decline", gettext_lazy("Decline"), {Status.COORDINATING}),
    ],
    MeetingType.HEARING: [("vote", gettext_lazy("Record the vote"), {Status.HEARING})],
}


class MeetingForm(forms.ModelForm):
    def clean_held_at(self):
        held_at = self.cleaned_data["held_at"]
        now = timezone.now()
        if not (now - timedelta(days=365 * 10) <= held_at <= now + timedelta(days=365)):
            raise forms.ValidationError(
                _("Enter the date the meeting was or will be held (within a year from now).")
            )
        return held_at

    class Meta:
        model = Meeting
        fields = [
            "type",
            "community",
            "estate",
            "held_at",
            "place",
            "chair",
            "attendees",
            "resident_representatives",
            "head_count",
            "minutes",
        ]


class ClosedFilter(admin.SimpleListFilter):
    title = gettext_lazy("closed")
    parameter_name = "closed"

    def lookups(self, request, model_admin):
        return [("no", _("open")), ("yes", _("closed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(closed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(closed_at__isnull=True)
        return queryset


@admin.register(Meeting)
class MeetingAdmin(ScopedModelAdmin):
    gate = meetings_for
    form = MeetingForm
    change_form_template = "admin/meetings/meeting/change_form.html"
    list_display = ["held_at", "type", "community", "estate", "agenda_size", "is_closed_display"]
    list_filter = ["type", "community", "estate", ClosedFilter]
    list_select_related = ["community", "estate"]
    search_fields = ["place", "minutes", "chair"]
    autocomplete_fields = ["attendees"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agenda_size=Count("agenda"))

    @admin.display(description=gettext_lazy("agenda"), ordering="agenda_size")
    def agenda_size(self, meeting):
        return meeting.agenda_size

    @admin.display(description=gettext_lazy("closed"), boolean=True, ordering="closed_at")
    def is_closed_display(self, meeting):
        return meeting.is_closed

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return [*MeetingForm.Meta.fields, "closed_at"]
        if obj is not None:
            return ["type", "community", "estate", "closed_at"]
        return []

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_closed:
            return False
        return super().has_change_permission(request, obj)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/outcome/",
                self.admin_site.admin_view(self.outcome_view),
                name="meetings_meeting_outcome",
            ),
            path(
                "<path:object_id>/forum/",
                self.admin_site.admin_view(self.forum_view),
                name="meetings_meeting_forum",
            ),
            path(
                "<path:object_id>/close/",
                self.admin_site.admin_view(self.close_view),
                name="meetings_meeting_close",
            ),
            path(
                "<path:object_id>/agenda/",
                self.admin_site.admin_view(self.agenda_view),
                name="meetings_meeting_agenda",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if is_secretary(request.user) and "estate" in form.base_fields:
            # A secretary holds meetings of its own estate, never of the whole community.
            class SecretaryMeetingForm(form):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self.fields["estate"].required = True

            return SecretaryMeetingForm
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            meeting = self.get_object(request, object_id)
            if meeting is not None:
                extra_context.update(
                    self._page_context(request, meeting, extra_context.get("forum_rows"))
                )
                retry = extra_context.get("outcome_retry")
                if retry:
                    for item in extra_context["agenda"]:
                        if str(item["appeal"].pk) == retry["appeal"]:
                            item["retry"] = retry
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _forum_rows(self, request, meeting, data=None):
        rows = ForumRows(data, prefix="forum")
        if meeting.estate_id:
            buildings = Building.objects.filter(estate=meeting.estate_id)
        else:
            buildings = Building.objects.filter(estate__community=meeting.community_id)
        for form in rows.forms:
            form.fields["building"].queryset = buildings.select_related("estate")
        return rows

    def _page_context(self, request, meeting, forum_rows=None):
        can_act = may(request.user, CHANGE, Meeting) and not meeting.is_closed
        agenda = []
        outcomes = OUTCOMES.get(meeting.type, [])
        votes = {v.appeal_id: v for v in meeting.votes.all()}
        for appeal in meeting.agenda.select_related("estate", "category").order_by("pk"):
            allowed = [
                (key, label) for key, label, statuses in outcomes if appeal.status in statuses
            ]
            agenda.append({"appeal": appeal, "outcomes": allowed, "vote": votes.get(appeal.pk)})
        context = {
            "meeting": meeting,
            "agenda": agenda,
            "can_act": can_act,
            "outcome_form": OutcomeForm(),
            "departments": Department.objects.filter(active=True),
        }
        if meeting.type == MeetingType.FORUM and can_act:
            context["forum_rows"] = forum_rows or self._forum_rows(request, meeting)
        if meeting.type == MeetingType.PARTY_MASSES:
            context["dissatisfied"] = services.dissatisfied_since_last_meeting(meeting=meeting)
        if can_act:
            context["open_appeals"] = (
                appeals_for(request.user)
                .filter(status__in=[s for s in Status.values if s != Status.CLOSED])
                .filter(
                    **(
                        {"estate": meeting.estate_id}
                        if meeting.estate_id
                        else {"estate__community": meeting.community_id}
                    )
                )
                .exclude(meetings=meeting)
                .order_by("-pk")[:200]
            )
        return context

    def _meeting_or_404(self, request, object_id):
        meeting = self.get_object(request, object_id)
        if meeting is None:
            raise Http404
        return meeting

    def outcome_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        meeting = self._meeting_or_404(request, object_id)
        page = reverse("admin:meetings_meeting_change", args=[meeting.pk])
        form = OutcomeForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                _("Please fill in the outcome correctly: %(errors)s")
                % {
                    "errors": "; ".join(
                        f"{form.fields[name].label or name}: {' '.join(errors)}"
                        for name, errors in form.errors.items()
                    )
                },
            )
            return self._meeting_again(request, meeting, request.POST)
        data = form.cleaned_data
        appeal = appeals_for(request.user).filter(pk=data["appeal"]).first()
        if appeal is None:
            messages.error(request, _("No such appeal in your area."))
            return redirect(page)
        try:
            self._record_outcome(request, meeting, appeal, data)
        except services.MoveRefused as refused:
            messages.error(request, f"{appeal.display_code}: {refused.message}")
            return self._meeting_again(request, meeting, request.POST)
        else:
            appeal.refresh_from_db()
            messages.success(
                request,
                _("%(code)s: recorded; now %(status)s.")
                % {"code": appeal.display_code, "status": appeal.get_status_display()},
            )
        return redirect(page)

    def _record_outcome(self, request, meeting, appeal, data):
        outcome, by, note = data["outcome"], request.user, data["public_note"]
        if outcome == "decline":
            return services.appeal_decline(appeal=appeal, by=by, reason=note, meeting=meeting)
        if meeting.type == MeetingType.PARTY_MASSES:
            return services.appeal_route(
                appeal=appeal,
                to=outcome,
                by=by,
                meeting=meeting,
                department=data["department"],
                public_note=note,
            )
        if meeting.type == MeetingType.COORDINATION:
            return services.appeal_coordination_outcome(
                appeal=appeal,
                meeting=meeting,
                outcome=outcome,
                by=by,
                department=data["department"],
                public_note=note,
            )
        if meeting.type == MeetingType.HEARING and outcome == "vote":
            counts = [
                data[k] for k in ("eligible", "present", "votes_for", "votes_against", "abstain")
            ]
            if any(c is None for c in counts):
                raise services.MoveRefused(_("Fill in all five counts of the vote."))
            return services.appeal_record_hearing_vote(
                appeal=appeal,
                meeting=meeting,
                by=by,
                eligible=counts[0],
                present=counts[1],
                votes_for=counts[2],
                votes_against=counts[3],
                abstain=counts[4],
                public_note=note,
            )
        raise services.MoveRefused(_("This meeting does not decide that."))

    def forum_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        meeting = self._meeting_or_404(request, object_id)
        rows = self._forum_rows(request, meeting, request.POST)
        if not rows.is_valid():
            messages.error(request, _("Some lines need correcting; nothing was registered."))
            return self._render_with_rows(request, meeting, rows)
        filled = [f.cleaned_data for f in rows.forms if f.has_changed() and f.cleaned_data]
        if not filled:
            messages.warning(request, _("No lines were filled in."))
            return redirect(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
        estate = meeting.estate
        if estate is None and any(not row.get("building") for row in filled):
            messages.error(
                request,
                _("This forum is for the whole community: choose the building of each line."),
            )
            return self._render_with_rows(request, meeting, rows)
        try:
            created = services.forum_register_appeals(
                meeting=meeting,
                by=request.user,
                rows=[
                    {
                        "estate": row["building"].estate if row.get("building") else estate,
                        "building": row.get("building"),
                        "category": row["category"],
                        "title": row["title"],
                        "description": row["title"],
                        "contact_name": row.get("contact_name", ""),
                        "contact_phone": row.get("contact_phone", ""),
                    }
                    for row in filled
                ],
            )
        except services.MoveRefused as refused:
            messages.error(request, refused.message)
            return self._render_with_rows(request, meeting, rows)
        messages.success(
            request,
            _("Registered %(n)d appeals: %(codes)s")
            % {"n": len(created), "codes": ", ".join(a.display_code for a in created)},
        )
        return redirect(reverse("admin:meetings_meeting_change", args=[meeting.pk]))

    def _meeting_again(self, request, meeting, typed):
        """The meeting page again, the outcome form refilled with what was typed."""
        retry = {
            "appeal": str(typed.get("appeal", "")),
            "outcome": typed.get("outcome", ""),
            "data": {
                k: typed.get(k, "")
                for k in (
                    "department",
                    "public_note",
                    "eligible",
                    "present",
                    "votes_for",
                    "votes_against",
                    "abstain",
                )
            },
        }
        return self.change_page_again(request, meeting, {"outcome_retry": retry})

    def _render_with_rows(self, request, meeting, rows):
        return self.change_page_again(request, meeting, {"forum_rows": rows})

    def close_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        meeting = self._meeting_or_404(request, object_id)
        try:
            services.meeting_close(meeting=meeting, by=request.user)
        except services.MoveRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The meeting is closed."))
        return redirect(reverse("admin:meetings_meeting_change", args=[meeting.pk]))

    def agenda_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        meeting = self._meeting_or_404(request, object_id)
        page = reverse("admin:meetings_meeting_change", args=[meeting.pk])
        ids = [i for i in request.POST.getlist("appeals") if re.fullmatch(r"[0-9]{1,12}", i)]
        added = 0
        for appeal in appeals_for(request.user).filter(pk__in=ids):
            try:
                services.meeting_add_to_agenda(meeting=meeting, appeal=appeal, by=request.user)
                added += 1
            except services.MoveRefused as refused:
                messages.error(request, f"{appeal.display_code}: {refused.message}")
        if added:
            messages.success(request, _("%(n)d appeals put on the agenda.") % {"n": added})
        return redirect(page)


class UnreadFilter(admin.SimpleListFilter):
    title = gettext_lazy("read")
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("yes", _("unread")), ("no", _("read"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(read_at__isnull=False)
        return queryset


def own_notifications(user):
    """Each staff user reads their own messages, and only theirs; a superuser also sees
    every message's delivery, to find the ones that failed."""
    if not (getattr(user, "is_active", False) and getattr(user, "is_staff", False)):
        return Notification.objects.none()
    if user.is_superuser:
        return Notification.objects.all()
    return Notification.objects.filter(user=user)


class DeliveryFilter(admin.SimpleListFilter):
    title = gettext_lazy("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("given up")),
            ("pending", _("waiting to be sent")),
            ("delivered", _("delivered")),
        ]

    def queryset(self, request, queryset):
        sending = queryset.exclude(channel=Notification.Channel.INBOX)
        if self.value() == "failed":
            return sending.filter(
                delivered_at__isnull=True, attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS
            )
        if self.value() == "pending":
            return sending.filter(
                delivered_at__isnull=True, attempts__lt=settings.NOTIFICATION_MAX_ATTEMPTS
            )
        if self.value() == "delivered":
            return sending.filter(delivered_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ScopedModelAdmin):
    gate = own_notifications
    list_display = ["created_at", "subject_link", "appeal_link", "channel", "is_read"]
    list_filter = [UnreadFilter, "kind"]

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return [UnreadFilter, DeliveryFilter, "kind", "channel"]
        return super().get_list_filter(request)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return [*self.list_display, "recipient_name", "attempts", "last_error"]
        return self.list_display

    list_select_related = ["appeal"]
    actions = ["mark_read"]
    fields = ["created_at", "subject", "text", "appeal", "channel", "delivered_at", "read_at"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        message = self.get_object(request, object_id)
        if message is not None and message.user_id == request.user.pk:  # reading one's own
            notifications.notifications_mark_read(user=request.user, ids=[message.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=gettext_lazy("Mark as read"), permissions=["view"])
    def mark_read(self, request, queryset):
        done = notifications.notifications_mark_read(
            user=request.user, ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(request, _("%(n)d marked as read.") % {"n": done})

    @admin.display(description=gettext_lazy("message"), ordering="subject")
    def subject_link(self, message):
        url = reverse("admin:meetings_notification_change", args=[message.pk])
        weight = "normal" if message.read_at else "bold"
        return format_html(
            '<a href="{}" style="font-weight:{}">{}</a>', url, weight, message.subject
        )

    @admin.display(description=gettext_lazy("appeal"))
    def appeal_link(self, message):
        if message.appeal_id is None:
            return "—"
        url = reverse("admin:meetings_appeal_change", args=[message.appeal_id])
        return format_html('<a href="{}">{}</a>', url, message.appeal.display_code)

    @admin.display(description=gettext_lazy("read"), boolean=True, ordering="read_at")
    def is_read(self, message):
        return message.read_at is not None


@admin.register(AppealCategory)
class AppealCategoryAdmin(ScopedModelAdmin):
    gate = appeal_categories_for
    list_display = ["name", "position", "active"]
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(ScopedModelAdmin):
    gate = departments_for
    list_display = ["name", "level", "emails", "active"]
    list_filter = ["level", "active"]
    search_fields = ["name"]
