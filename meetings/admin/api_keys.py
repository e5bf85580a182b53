"""API keys for the Open311 API: a superuser issues one to a named client system for a town
or a community (the key is shown once, on the page after saving) and revokes it."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..api_keys import issue_key, revoke_key
from ..models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["client", "prefix_text", "scope", "created_at", "revoked_at", "appeal_count"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
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
        obj.pk = row.pk
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
