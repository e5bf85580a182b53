"""The log-in lockouts (django-axes) in the admin, for superusers only.

Axes registers its pages with Django's per-model permissions, which a superuser could hand
to a staff account in the user admin; here only superusers see them, whatever permissions a
staff account holds. A superuser unlocks a user or an address by deleting its access
attempts; the failure log and the log-in log stay as the record."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


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
