"""The incident registry: the list (the Five Zeros board's counts link to it, filtered), the
add page (incident_record; prefilled from an appeal with ?appeal=<id>) and each incident's
page, read-only, with its history and the judgements open to the user (incident_verify,
incident_dismiss). Records are never edited or deleted: a wrong one is dismissed with its
reason and recorded again."""

from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.scope import staff_scope
from branches.scoped_admin import ObjectActions, ScopedModelAdmin
from meetings.admin.appeals import CappedCountPaginator
from meetings.moves import MoveRefused
from meetings.scope import appeals_for

from ..forms import CORRECTION_HELP, DismissForm, IncidentForm, VerifyForm
from ..models import Incident, IncidentSource, IncidentStatus
from ..queries import Period
from ..scope import incidents_for
from ..services import incident_dismiss, incident_record, incident_verify, may_verify


class PeriodFilter(admin.SimpleListFilter):
    """?period=2026-11 (a month) or ?period=2026 (a year), in local time: what the board's
    counts link to."""

    title = gettext_lazy("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        month = Period.current()
        return [
            (month.param(), _("this month")),
            (month.previous().param(), _("last month")),
            (str(month.year), _("this year")),
            (str(month.year - 1), _("last year")),
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        period = Period.parse(self.value())
        return queryset.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)


class RecordsFilter(admin.SimpleListFilter):
    """?records=known: only incidents on or after their estate's records start (what the
    boards count); ?records=before: those before it, or of an estate without a start."""

    title = gettext_lazy("five-zero records")
    parameter_name = "records"

    def lookups(self, request, model_admin):
        return [("known", _("since the records start")), ("before", _("before the records start"))]

    def queryset(self, request, queryset):
        # __date is the local date (TIME_ZONE), as the boards' months are.
        known = Q(occurred_at__date__gte=F("estate__zero_records__month"))
        if self.value() == "known":
            return queryset.filter(known)
        if self.value() == "before":
            return queryset.exclude(known)
        return queryset


def incident_status_badge(incident) -> str:
    """Colour per status in staff.css (no inline style: the Content-Security-Policy)."""
    return format_html(
        '<span class="status-badge incident-{}">{}</span>',
        incident.status,
        incident.get_status_display(),
    )


def _person(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class Judgement:
    form: type[VerifyForm]
    label: str
    confirm: str  # asked before the form is sent ("" asks nothing)

    def run(self, name, *, incident, by, data):
        if name == "verify":
            return incident_verify(incident=incident, by=by)
        return incident_dismiss(incident=incident, by=by, reason=data["reason"])


JUDGEMENTS = {
    "verify": Judgement(
        VerifyForm,
        gettext_lazy("Verify"),
        gettext_lazy(
            "Verify this incident? From then on it counts against the estate's zero in its "
            "category."
        ),
    ),
    "dismiss": Judgement(DismissForm, gettext_lazy("Dismiss"), ""),
}


@admin.register(Incident)
class IncidentAdmin(ObjectActions, ScopedModelAdmin):
    gate = incidents_for
    form = IncidentForm
    change_form_template = "admin/zeroindex/incident/change_form.html"
    list_display = [
        "occurred_local",
        "estate_name",
        "building_name",
        "category",
        "status_display",
        "source",
        "appeal_link",
        "recorded_by_name",
    ]
    list_filter = [
        "status",
        "category",
        "source",
        PeriodFilter,
        RecordsFilter,
        "estate",
        "building",
    ]
    list_select_related = ["estate", "building", "appeal", "recorded_by"]
    list_per_page = 50
    list_max_show_all = 0
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["description"]
    search_help_text = gettext_lazy("Words of the description.")
    autocomplete_fields = ["building"]
    actions = ["verify_selected"]

    # --- the list --------------------------------------------------------------------

    @admin.display(description=gettext_lazy("occurred at"), ordering="occurred_at")
    def occurred_local(self, incident):
        return timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=gettext_lazy("estate"))
    def estate_name(self, incident):
        return incident.estate.name

    @admin.display(description=gettext_lazy("building"))
    def building_name(self, incident):
        return incident.building.name if incident.building else "—"

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_display(self, incident):
        return incident_status_badge(incident)

    @admin.display(description=gettext_lazy("linked appeal"))
    def appeal_link(self, incident):
        if incident.appeal is None:
            return "—"
        url = reverse("admin:meetings_appeal_change", args=[incident.appeal_id])
        return format_html(
            '<a href="{}" class="font-monospace">{}</a>', url, incident.appeal.display_code
        )

    @admin.display(description=gettext_lazy("recorded by"))
    def recorded_by_name(self, incident):
        return _person(incident.recorded_by)

    @admin.display(description=gettext_lazy("verified by"))
    def verified_by_name(self, incident):
        return _person(incident.verified_by)

    @admin.display(description=gettext_lazy("dismissed by"))
    def dismissed_by_name(self, incident):
        return _person(incident.dismissed_by)

    def has_verify_permission(self, request):
        return may_verify(request.user)

    @admin.action(description=gettext_lazy("Verify the selected incidents"), permissions=["verify"])
    def verify_selected(self, request, queryset):
        verified, refused = 0, []
        for incident in queryset.select_related("estate"):
            try:
                incident_verify(incident=incident, by=request.user)
            except MoveRefused as refusal:
                refused.append(f"{incident}: {refusal.message}")
            else:
                verified += 1
        if verified:
            messages.success(request, _("Incidents verified: %(count)d.") % {"count": verified})
        if refused:
            messages.warning(
                request,
                _("Not verified (%(count)d): %(list)s")
                % {"count": len(refused), "list": "; ".join(refused)},
            )

    # --- the add page ------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": IncidentForm.Meta.fields})]
        # who recorded it, and who judged it, if anyone has yet
        judged = {
            IncidentStatus.VERIFIED: ["verified_by_name", "verified_at"],
            IncidentStatus.DISMISSED: ["dismissed_by_name", "dismissed_at", "dismissal_reason"],
        }.get(obj.status, [])
        what, _who = self.PAGE_FIELDSETS
        return [what, (_who[0], {"fields": ["recorded_by_name", "recorded_at", *judged]})]

    PAGE_FIELDSETS = [
        (
            None,
            {
                "fields": [
                    "status_display",
                    "category",
                    "estate",
                    "building",
                    "occurred_local",
                    "source",
                    "appeal_link",
                    "description",
                ]
            },
        ),
        (
            gettext_lazy("Recording and verification"),
            {
                "fields": [
                    "recorded_by_name",
                    "recorded_at",
                    "verified_by_name",
                    "verified_at",
                    "dismissed_by_name",
                    "dismissed_at",
                    "dismissal_reason",
                ]
            },
        ),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        # No "add / change / delete the estate" buttons beside an incident's estate or building.
        if isinstance(getattr(field, "widget", None), RelatedFieldWidgetWrapper):
            field.widget = field.widget.widget
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # the user's scope for the appeal look-up; a refusal of this input, shown on the form
        return type(
            form.__name__,
            (form,),
            {"user": request.user, "refused": getattr(request, "_incident_refused", None)},
        )

    def get_changeform_initial_data(self, request):
        """?appeal=<id>: record an incident from an appeal in one step."""
        scope = staff_scope(request.user)
        initial = {"estate": scope.estate_id} if scope and scope.estate_id else {}  # a secretary's
        appeal_id = request.GET.get("appeal", "")
        if appeal_id:
            appeal = (
                appeals_for(request.user).filter(pk=appeal_id).first()
                if appeal_id.isdigit() and len(appeal_id) < 19
                else None
            )
            if appeal is None:
                messages.warning(request, _("No appeal you can see has this number."))
                return initial
            initial.update(
                estate=appeal.estate_id,
                building=appeal.building_id,
                source=IncidentSource.APPEAL,
                occurred_at=timezone.localtime(appeal.created_at).replace(microsecond=0),
                description=appeal.title,
                appeal_code=appeal.display_code,
            )
        return initial

    def save_model(self, request, obj, form, change):
        if change:  # an incident's page changes nothing through the form: only its moves
            return
        created = incident_record(**form.service_arguments(), by=request.user)
        obj.pk = created.pk
        obj._state.adding = False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except MoveRefused as refusal:
            # The form checks what the service checks; should the service still refuse
            # (the scope changed meanwhile), the page comes back with what was typed.
            if request.method != "POST" or hasattr(request, "_incident_refused"):
                raise
            request._incident_refused = refusal
            return super().add_view(request, form_url, extra_context)

    # --- the incident page -------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        return False  # read-only: the judgements check their own permission (the services)

    def has_delete_permission(self, request, obj=None):
        return False  # records, for superusers too

    # The page's actions (branches.scoped_admin.ObjectActions): the judgements.
    object_action_table = JUDGEMENTS
    refusal = MoveRefused

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["correction_help"] = CORRECTION_HELP
        return super().changeform_view(request, object_id, form_url, extra_context)

    def object_page(self, request, incident):
        pending = incident.status == IncidentStatus.PENDING and may_verify(request.user)
        offered = dict.fromkeys(JUDGEMENTS, pending)
        return offered, {
            "incident": incident,
            "incident_events": incident.events.select_related("actor"),
        }

    def object_action_form(self, request, incident, name, data=None):
        return JUDGEMENTS[name].form(data, prefix=name, incident=incident, user=request.user)

    def object_action_run(self, request, incident, name, data):
        JUDGEMENTS[name].run(name, incident=incident, by=request.user, data=data)
