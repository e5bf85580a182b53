"""Organisational life in the admin: the kinds of meeting (a town's list, with how often each
is expected), the meetings with their attendance (saved through branches.orglife, so the
ledger follows), the overdue branches and groups, and attendance rates per member and year.
Everything through the scope gate."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import scope
from .formsets import BoundedInlineFormSet
from .models import OrgAttendance, OrgMeeting, OrgMeetingKind
from .orglife import (
    CHANGEABLE,
    Attendance,
    local_zone,
    org_meeting_change,
    org_meeting_delete,
    org_meeting_record,
)
from .queries import org_attendance_rates, org_life_overdue
from .scoped_admin import BoundedInline, ScopedModelAdmin

ATTENDANCE_PAGE = 100


@admin.register(OrgMeetingKind)
class OrgMeetingKindAdmin(ScopedModelAdmin):
    gate = scope.org_meeting_kinds_for
    list_display = ["name", "name_en", "level", "every_months", "position"]
    fields = ["name", "name_en", "level", "every_months", "position"]


class AttendanceFormSet(BoundedInlineFormSet):
    """Members of the meeting's branch only; an absence with its reason (said on the row)."""

    def clean(self):
        super().clean()
        estate_id = self.instance.estate_id
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("member") is None:
                continue
            if estate_id and data["member"].estate_id != estate_id:
                form.add_error(
                    "member",
                    _("%(member)s is not a member of this branch.")
                    % {"member": data["member"].name},
                )
            if not data.get("present") and not data.get("absence_reason", "").strip():
                form.add_error("absence_reason", _("An absent member needs a reason."))


class AttendanceInline(BoundedInline, admin.TabularInline):
    model = OrgAttendance
    formset = AttendanceFormSet
    fields = ["member", "present", "absence_reason"]
    extra = 5
    max_new = 100  # a branch members' meeting lists the whole branch

    def has_view_permission(self, request, obj=None):
        return scope.may(request.user, scope.VIEW, OrgMeeting)

    def has_add_permission(self, request, obj=None):
        return scope.may(request.user, scope.CHANGE if obj else scope.ADD, OrgMeeting)

    def has_change_permission(self, request, obj=None):
        return scope.may(request.user, scope.CHANGE, OrgMeeting)

    def has_delete_permission(self, request, obj=None):
        return scope.may(request.user, scope.CHANGE, OrgMeeting)

    def get_queryset(self, request):
        return scope.attendance_for(request.user).select_related("member")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        for can in ("add", "change", "delete", "view"):  # a member is chosen, not edited here
            setattr(field.widget, f"can_{can}_related", False)
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if "member" in formset.form.base_fields:  # a class made for this request
            members = scope.members_for(request.user).filter(active=True)
            if obj is not None:
                members = scope.members_for(request.user).filter(estate=obj.estate_id)
            formset.form.base_fields["member"].queryset = members.order_by("name")
        return formset


@admin.register(OrgMeeting)
class OrgMeetingAdmin(ScopedModelAdmin):
    gate = scope.org_meetings_for
    change_list_template = "admin/branches/orgmeeting/change_list.html"
    list_display = ["held_at", "kind", "estate", "group", "topic", "present", "expected"]
    list_filter = ["kind", "estate"]
    list_select_related = ["kind", "estate", "group__estate"]
    search_fields = ["topic"]
    fields = ["estate", "group", "kind", "held_at", "topic", "place", "minutes"]
    inlines = [AttendanceInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_expected=Count("attendance"),
                n_present=Count("attendance", filter=Q(attendance__present=True)),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        return ["estate"] if obj is not None else []  # a meeting is of its branch for good

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group":  # a group is named with its estate's name
            kwargs["queryset"] = scope.groups_for(request.user).select_related("estate")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("present"), ordering="n_present")
    def present(self, meeting):
        return meeting.n_present

    @admin.display(description=gettext_lazy("expected"), ordering="n_expected")
    def expected(self, meeting):
        return meeting.n_expected

    # Saved through the services: the meeting, its attendance and the ledger together.
    def save_model(self, request, obj, form, change):
        pass  # save_related saves it with its attendance

    def save_related(self, request, form, formsets, change):
        rows = []
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for row in formset.forms:
                data = getattr(row, "cleaned_data", None) or {}
                if data.get("DELETE") or data.get("member") is None:
                    continue
                rows.append(
                    Attendance(data["member"], data.get("present", False), data["absence_reason"])
                )
        fields = {name: form.cleaned_data[name] for name in CHANGEABLE if name in form.cleaned_data}
        try:
            if change:
                org_meeting_change(
                    meeting=form.instance, attendance=rows, by=request.user, **fields
                )
            else:
                meeting = org_meeting_record(
                    estate=form.cleaned_data["estate"], attendance=rows, by=request.user, **fields
                )
                form.instance.pk = meeting.pk
        except (ValidationError, PermissionDenied) as refused:
            self.message_user(
                request, " ".join(getattr(refused, "messages", [str(refused)])), "error"
            )

    def log_addition(self, request, obj, message):
        if obj.pk is not None:  # None: the service refused it (said in a message)
            super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:  # refused at the last moment (a race): the add page again
            return redirect(request.get_full_path())
        return super().response_add(request, obj, post_url_continue)

    def delete_model(self, request, obj):
        org_meeting_delete(meeting=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for meeting in queryset:
            org_meeting_delete(meeting=meeting, by=request.user)

    # --- the overdue page and the attendance rates ----------------------------------

    def get_urls(self):
        return [
            path(
                "overdue/",
                self.admin_site.admin_view(self.overdue_view),
                name="branches_orgmeeting_overdue",
            ),
            path(
                "attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name="branches_orgmeeting_attendance",
            ),
            *super().get_urls(),
        ]

    def _estate_asked(self, request):
        """The ?estate= of a page, in the user's scope (404 outside it); None when not asked."""
        asked = request.GET.get("estate", "")
        if not asked:
            return None
        if not asked.isdigit() or int(asked) >= 2**63:
            raise Http404
        estate = scope.estates_for(request.user).filter(pk=int(asked)).first()
        if estate is None:
            raise Http404
        return estate

    def _page(self, request, title, **context):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **context,
        }

    def overdue_view(self, request):
        context = self._page(request, _("Overdue organisational life"))
        estate = self._estate_asked(request)
        rows = org_life_overdue(user=request.user, estate_ids=[estate.pk] if estate else None)
        context.update(estate=estate, rows=rows)
        return TemplateResponse(request, "admin/branches/orgmeeting/overdue.html", context)

    def attendance_view(self, request):
        context = self._page(request, _("Attendance at organisational life"))
        estate = self._estate_asked(request)
        this_year = timezone.localtime(timezone.now(), local_zone()).year
        asked = request.GET.get("year", "")
        year = int(asked) if asked.isdigit() and 2000 <= int(asked) <= this_year else this_year
        members = org_attendance_rates(
            user=request.user, year=year, estate_id=estate.pk if estate else None
        )
        page = Paginator(members, ATTENDANCE_PAGE).get_page(request.GET.get("page"))
        context.update(
            estate=estate,
            year=year,
            years=range(this_year, max(2000, this_year - 5) - 1, -1),
            estates=scope.estates_for(request.user).only("name"),
            page=page,
        )
        return TemplateResponse(request, "admin/branches/orgmeeting/attendance.html", context)
