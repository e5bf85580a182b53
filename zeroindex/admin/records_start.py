"""Each estate's five-zero records start: the first month the board counts (earlier months
are unknown, never zero). Set through records_start_set; community staff set it, an estate's
secretary reads it (branches.scope.ROLE_ACTIONS)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from branches.scope import estates_for
from branches.scoped_admin import ScopedModelAdmin
from meetings.moves import MoveRefused

from ..forms import RecordsStartForm
from ..models import RecordsStart
from ..scope import records_starts_for
from ..services import records_start_set


@admin.register(RecordsStart)
class RecordsStartAdmin(ScopedModelAdmin):
    gate = records_starts_for
    form = RecordsStartForm
    fields = ["estate", "month"]
    list_display = ["estate_name", "community_name", "month_display"]
    list_display_links = ["estate_name"]
    list_select_related = ["estate__community"]
    list_filter = ["estate__community"]
    search_fields = ["estate__name"]
    show_facets = admin.ShowFacets.NEVER
    ordering = ["estate__community__name", "estate__name"]

    @admin.display(description=gettext_lazy("estate"), ordering="estate__name")
    def estate_name(self, start):
        return start.estate.name

    @admin.display(description=gettext_lazy("community"), ordering="estate__community__name")
    def community_name(self, start):
        return start.estate.community.name

    @admin.display(description=gettext_lazy("records start"), ordering="month")
    def month_display(self, start):
        return start.month.strftime("%Y-%m")

    def get_readonly_fields(self, request, obj=None):
        return ["estate", "changes"] if obj is not None else []

    def get_fields(self, request, obj=None):
        return ["estate", "month", "changes"] if obj is not None else ["estate", "month"]

    @admin.display(description=gettext_lazy("history"))
    def changes(self, start):
        rows = start.estate.zero_records_changes.select_related("actor")
        return format_html_join(
            mark_safe("<br>"),
            "{} · {} → {} · {}",
            (
                (
                    timezone.localtime(c.created_at).strftime("%Y-%m-%d %H:%M"),
                    c.from_month.strftime("%Y-%m") if c.from_month else "—",
                    c.to_month.strftime("%Y-%m"),
                    (c.actor.get_full_name() or c.actor.get_username()) if c.actor else "—",
                )
                for c in rows
            ),
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "estate":  # an estate has one start: offer those without one
            kwargs["queryset"] = estates_for(request.user).filter(zero_records__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(
            form.__name__,
            (form,),
            {"user": request.user, "refused": getattr(request, "_records_start_refused", None)},
        )

    def save_model(self, request, obj, form, change):
        estate = obj.estate if change else form.cleaned_data["estate"]
        saved = records_start_set(estate=estate, month=form.cleaned_data["month"], by=request.user)
        obj.pk = saved.pk
        obj.estate = saved.estate
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except MoveRefused as refusal:
            # The form checks what the service checks; should the service still refuse,
            # the page comes back with what was typed and the service's reason.
            if request.method != "POST" or hasattr(request, "_records_start_refused"):
                raise
            request._records_start_refused = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False  # no service removes a start; set another month instead
