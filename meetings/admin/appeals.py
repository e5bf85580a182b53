"""The appeals list and each appeal's page. Every change goes through meetings.services; the
page offers what meetings.moves says is open, with the form the action table names."""

import logging

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.scope import ADD, VIEW, may
from branches.scoped_admin import ObjectActions, ScopedModelAdmin

from .. import services
from ..forms.staff import StaffAppealForm
from ..models import Appeal, Status
from ..moves import appeal_moves_open
from ..queries import (
    SEARCH_MIN_LENGTH,
    WORK_QUEUES,
    SearchTooShort,
    appeal_timeline,
    appeals_in_queue,
    appeals_matching,
    meetings_of_appeal,
)
from ..scope import appeals_for
from .actions import ACTIONS
from .credits import AppealCreditMixin

logger = logging.getLogger(__name__)


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
    """?overdue=yes / no; a list of other things says what overdue means (`overdue`)."""

    title = gettext_lazy("deadline")
    parameter_name = "overdue"

    def overdue(self) -> Q:
        return Q(next_due_at__lt=timezone.now())  # any deadline, the return visit's too

    def lookups(self, request, model_admin):
        return [("yes", _("overdue")), ("no", _("on time"))]

    def queryset(self, request, queryset):
        overdue = self.overdue()
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class WorkQueueFilter(admin.SimpleListFilter):
    """The queues of the staff home page, as filters: the list shows what the count counted."""

    title = gettext_lazy("work queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(queue, label) for queue, label in WORK_QUEUES]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset & appeals_in_queue(user=request.user, queue=self.value())


def status_badge(appeal):
    """The status as a coloured badge (its colour per status in staff.css: no inline style,
    which the Content-Security-Policy forbids)."""
    text = appeal.get_status_display()
    if appeal.status == Status.CLOSED and appeal.closure_reason:
        text = f"{text} · {appeal.get_closure_reason_display()}"
    return format_html(
        '<span class="status-badge status-{}">{}</span>', appeal.status.replace("_", "-"), text
    )


@admin.register(Appeal)
class AppealAdmin(AppealCreditMixin, ObjectActions, ScopedModelAdmin):
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
        WorkQueueFilter,
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
        "A tracking code, a whole mobile number, or at least two characters of the title."
    )
    autocomplete_fields = ["building"]

    def get_search_results(self, request, queryset, search_term):
        try:
            return appeals_matching(queryset, term=search_term), False
        except SearchTooShort:
            messages.warning(
                request,
                _("Type at least %(n)d characters of the title to search.")
                % {"n": SEARCH_MIN_LENGTH},
            )
            return queryset.none(), False

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
            return format_html('<span class="overdue">{} · {}</span>', _("overdue"), day)
        return day

    # --- the appeal page -----------------------------------------------------------------

    # The appeal's page is read-only: its fields in these groups; changes are actions.
    PAGE_FIELDSETS = [
        (None, {"fields": ["code_display", "status_display", "title", "description"]}),
        (
            gettext_lazy("Where and what"),
            {"fields": ["estate", "building", "category", "source", "filed_through"]},
        ),
        (gettext_lazy("Resident"), {"fields": ["contact_name", "contact_phone"]}),
        (
            gettext_lazy("Handling"),
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

    def get_fields(self, request, obj=None):
        return StaffAppealForm.Meta.fields if obj is None else self.page_fields()

    @admin.display(description=gettext_lazy("filed through"))
    def filed_through(self, appeal):
        """The client system whose API key filed it (source "API")."""
        if appeal.api_key_id is None:
            return "—"
        key = appeal.api_key
        return f"{key.client} · {key.prefix}…"

    @admin.display(description=gettext_lazy("tracking code"))
    def code_display(self, appeal):
        return appeal.display_code

    def get_urls(self):
        return [
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
        return may(request.user, VIEW, Appeal)

    # The page's actions (branches.scoped_admin.ObjectActions): the moves of meetings.moves.
    object_action_table = ACTIONS
    refusal = services.MoveRefused

    def object_page(self, request, appeal):
        open_now = appeal_moves_open(appeal=appeal, user=request.user)
        offered = {name: open_now[name] is None for name in ACTIONS}
        return offered, {
            "appeal": appeal,
            "events": appeal_timeline(appeal=appeal),
            "photos": appeal.photos.all(),
            "agenda_meetings": meetings_of_appeal(appeal=appeal),
            "duplicates": appeal.duplicates.all(),
            "repeats": appeal.repeats.all(),
            "return_visits": appeal.return_visits.select_related("by"),
            # The Five Zeros' incidents of this appeal, through the reverse relation: meetings
            # imports nothing of zeroindex (DESIGN.md), so the model comes from the relation.
            "incidents": appeal.incidents.all(),
            "may_record_incident": may(request.user, ADD, Appeal.incidents.rel.related_model),
            # Some moves are open to this appeal, at a meeting: say where they are made.
            "meeting_bound": any(r is not None and r.needs_meeting for r in open_now.values()),
            # the ledger's credit for the members who handled it (not a move: meetings.credits)
            **self.credit_context(request, appeal),
        }

    def object_action_label(self, name):
        return ACTIONS[name].label(name)

    def object_action_form(self, request, appeal, name, data=None):
        return ACTIONS[name].form(data, prefix=name, appeal=appeal, user=request.user)

    def object_action_run(self, request, appeal, name, data):
        ACTIONS[name].run(appeal=appeal, by=request.user, meeting=None, data=data)

    def object_action_done(self, request, appeal, name):
        appeal.refresh_from_db()
        if name == "extend_due" and appeal.is_overdue:
            messages.warning(
                request,
                _(
                    "The appeal is still overdue: an earlier step (such as acknowledging it) "
                    "is late."
                ),
            )

    def photo_view(self, request, object_id, photo_id):
        appeal = self.get_object(request, object_id)
        if appeal is None:
            raise Http404
        photo = appeal.photos.filter(pk=photo_id).first()
        if photo is None:
            raise Http404
        try:
            file = photo.image.open("rb")
        except FileNotFoundError:  # the row outlived its file (media restored from a backup)
            # its file is named by the tracking code: the ids say which row, not the name
            logger.warning("appeal %s: photo %s has no file", appeal.pk, photo.pk)
            raise Http404 from None
        response = FileResponse(file, content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response
