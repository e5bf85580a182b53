"""API keys for the Open311 API: a superuser issues one to a named client system for a town
or a community (the key is shown once, on the page after saving) and revokes it."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..api_keys import issue_key, revoke_key
from ..models import ApiKey


def _day(moment) -> str:
    """A local date as 2026-12-05: short enough not to wrap in the list's narrow columns."""
    return timezone.localtime(moment).date().isoformat()


class KeyStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("in_use", _("in use")), ("revoked", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "in_use":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    # Dates without the time, so the list fits beside the admin's menu at 1280 px.
    list_display = ["client", "prefix_text", "scope", "issued_on", "state", "appeal_count"]
    list_filter = [KeyStateFilter]
    list_select_related = ["town", "community", "created_by"]
    search_fields = ["client", "prefix"]
    fields = ["client", "contact", "town", "community"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_view_permission

    def has_change_permission(self, request, obj=None):
        return False  # a key is issued or revoked, never edited: issue a new one instead

    def has_delete_permission(self, request, obj=None):
        return False  # appeals name the key that filed them

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(appeals_filed=Count("appeals"))

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return super().get_fieldsets(request, obj)
        description = _(
            "Choose a town (the key files and reads appeals in all its communities) or one "
            "community, not both. After saving, the key is shown once at the top of the next "
            "page: copy it then."
        )
        return [(None, {"fields": self.fields, "description": description})]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("town", "community"):
            # Only a choice here: no buttons to add, edit or delete a town or a community.
            widget = field.widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.fields, "prefix_text", "created_by", "created_at", "revoked_at", "revoked_by"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description=gettext_lazy("key starts with"))
    def prefix_text(self, key):
        return f"{key.prefix}…"

    @admin.display(description=gettext_lazy("town or community"))
    def scope(self, key):
        return key.scope_name

    @admin.display(description=gettext_lazy("issued"), ordering="created_at")
    def issued_on(self, key):
        return _day(key.created_at)

    @admin.display(description=gettext_lazy("state"), ordering="revoked_at")
    def state(self, key):
        if key.revoked_at is None:
            return _("in use")
        return _("revoked on %(date)s") % {"date": _day(key.revoked_at)}

    @admin.display(description=gettext_lazy("appeals filed"), ordering="appeals_filed")
    def appeal_count(self, key):
        return key.appeals_filed

    def save_model(self, request, obj, form, change):
        row, key = issue_key(
            client=form.cleaned_data["client"],
            contact=form.cleaned_data["contact"],
            town=form.cleaned_data["town"],
            community=form.cleaned_data["community"],
            by=request.user,
        )
        obj.pk, obj.prefix = row.pk, row.prefix  # the admin's "added" message names it
        obj._state.adding = False
        messages.warning(
            request,
            _(
                "The key for %(client)s is %(key)s — copy it now and give it to the client "
                "system's operator: it is not shown again. Whoever holds it files appeals in "
                "%(scope)s and must have each resident's agreement to pass on their name "
                "and phone."
            )
            % {"client": row.client, "key": key, "scope": row.scope_name},
        )

    def log_addition(self, request, obj, message):
        pass  # issue_key records who issued it and when; the admin's log would add nothing

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request, queryset):
        revoked = sum(revoke_key(key=key, by=request.user) for key in queryset)
        messages.success(
            request,
            ngettext("%(n)d key revoked.", "%(n)d keys revoked.", revoked) % {"n": revoked},
        )
