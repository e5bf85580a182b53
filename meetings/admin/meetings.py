"""The meetings list and each meeting's page: its agenda with the outcomes open at this
meeting (asked of meetings.moves, recorded through the action table), the forum's lines, and
closing."""

import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.scope import CHANGE, is_secretary, may
from branches.scoped_admin import ScopedModelAdmin

from .. import services
from ..forms.staff import ForumRows, MeetingForm, review_rows
from ..models import Department, Meeting, MeetingType
from ..moves import meeting_moves_open
from ..queries import (
    active_departments,
    agenda_of,
    appeals_for_agenda,
    buildings_of_meeting_place,
    dissatisfied_since_last_meeting,
    review_means,
    review_sheet,
)
from ..scope import appeals_for, meetings_for
from .actions import ACTIONS, meeting_bound

ID = re.compile(r"[0-9]{1,12}")


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


def _outcome_prefix(appeal_pk, name) -> str:
    return f"o{appeal_pk}-{name}"


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
                "<path:object_id>/scores/",
                self.admin_site.admin_view(self.score_departments_view),
                name="meetings_meeting_scores",
            ),
            path(
                "<path:object_id>/scores/<int:department_id>/",
                self.admin_site.admin_view(self.score_sheet_view),
                name="meetings_meeting_score_sheet",
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
                    self._page_context(
                        request,
                        meeting,
                        forum_rows=extra_context.get("forum_rows"),
                        bound=extra_context.get("bound_outcome"),
                    )
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _forum_rows(self, meeting, data=None):
        rows = ForumRows(data, prefix="forum")
        buildings = buildings_of_meeting_place(meeting=meeting)
        for form in rows.forms:
            form.fields["building"].queryset = buildings
        return rows

    def _page_context(self, request, meeting, *, forum_rows=None, bound=None):
        can_act = may(request.user, CHANGE, Meeting) and not meeting.is_closed
        appeals = list(agenda_of(meeting=meeting))
        votes = {v.appeal_id: v for v in meeting.votes.all()}
        open_now = meeting_moves_open(meeting=meeting, user=request.user, appeals=appeals)
        departments = [(d.pk, str(d)) for d in active_departments()]
        agenda = []
        for appeal in appeals:
            outcomes = []
            for name, action in ACTIONS.items():
                if not (can_act and meeting_bound(name) and open_now[appeal.pk][name] is None):
                    continue
                prefix = _outcome_prefix(appeal.pk, name)
                form = (
                    bound
                    if bound is not None and bound.prefix == prefix
                    else action.form(
                        prefix=prefix, appeal=appeal, user=request.user, departments=departments
                    )
                )
                outcomes.append({"name": name, "label": action.label(name), "form": form})
            agenda.append({"appeal": appeal, "outcomes": outcomes, "vote": votes.get(appeal.pk)})
        context = {"meeting": meeting, "agenda": agenda, "can_act": can_act}
        if meeting.type == MeetingType.FORUM and can_act:
            context["forum_rows"] = forum_rows or self._forum_rows(meeting)
        if meeting.type == MeetingType.PARTY_MASSES:
            context["dissatisfied"] = dissatisfied_since_last_meeting(meeting=meeting)
        if can_act:
            context["open_appeals"] = appeals_for_agenda(meeting=meeting, user=request.user)
        if meeting.type == MeetingType.DEPARTMENT_REVIEW:
            context["review"] = self._review_figures(meeting)
            # Scores may be typed after the meeting is closed, from the paper sheets.
            context["can_score"] = may(request.user, CHANGE, Meeting)
        return context

    @staticmethod
    def _review_figures(meeting):
        """Each scored department's figures, by name: two queries, whatever the scores."""
        means = review_means(meeting=meeting)
        names = {d.pk: str(d) for d in Department.objects.filter(pk__in=means)}
        return sorted(
            ({"department": names[pk], "figures": figures} for pk, figures in means.items()),
            key=lambda row: row["department"],
        )

    def _meeting_or_404(self, request, object_id):
        meeting = self.get_object(request, object_id)
        if meeting is None:
            raise Http404
        return meeting

    def _page(self, meeting):
        return redirect(reverse("admin:meetings_meeting_change", args=[meeting.pk]))

    def outcome_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        meeting = self._meeting_or_404(request, object_id)
        name, appeal_id = request.POST.get("outcome", ""), request.POST.get("appeal", "")
        appeal = (
            appeals_for(request.user).filter(pk=appeal_id).first()
            if ID.fullmatch(appeal_id)
            else None
        )
        if appeal is None:
            messages.error(request, _("No such appeal in your area."))
            return self._page(meeting)
        if name not in ACTIONS or not meeting_bound(name):
            messages.error(request, _("This meeting does not decide that."))
            return self._page(meeting)
        action = ACTIONS[name]
        form = action.form(
            request.POST, prefix=_outcome_prefix(appeal.pk, name), appeal=appeal, user=request.user
        )
        if not form.is_valid():
            messages.error(
                request,
                _("%(code)s: please fill in the outcome correctly.")
                % {"code": appeal.display_code},
            )
            return self.change_page_again(request, meeting, {"bound_outcome": form})
        try:
            action.run(appeal=appeal, by=request.user, meeting=meeting, data=form.cleaned_data)
        except services.MoveRefused as refused:
            messages.error(request, f"{appeal.display_code}: {refused.message}")
            return self.change_page_again(request, meeting, {"bound_outcome": form})
        appeal.refresh_from_db()
        messages.success(
            request,
            _("%(code)s: recorded; now %(status)s.")
            % {"code": appeal.display_code, "status": appeal.get_status_display()},
        )
        return self._page(meeting)

    def forum_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        meeting = self._meeting_or_404(request, object_id)
        rows = self._forum_rows(meeting, request.POST)
        if not rows.is_valid():
            messages.error(request, _("Some lines need correcting; nothing was registered."))
            return self.change_page_again(request, meeting, {"forum_rows": rows})
        filled = [f.cleaned_data for f in rows.forms if f.has_changed() and f.cleaned_data]
        if not filled:
            messages.warning(request, _("No lines were filled in."))
            return self._page(meeting)
        estate = meeting.estate
        if estate is None and any(not row.get("building") for row in filled):
            messages.error(
                request,
                _("This forum is for the whole community: choose the building of each line."),
            )
            return self.change_page_again(request, meeting, {"forum_rows": rows})
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
            return self.change_page_again(request, meeting, {"forum_rows": rows})
        messages.success(
            request,
            _("Registered %(n)d appeals: %(codes)s")
            % {"n": len(created), "codes": ", ".join(a.display_code for a in created)},
        )
        return self._page(meeting)

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
        return self._page(meeting)

    def agenda_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        meeting = self._meeting_or_404(request, object_id)
        ids = [i for i in request.POST.getlist("appeals") if ID.fullmatch(i)]
        added = 0
        for appeal in appeals_for(request.user).filter(pk__in=ids[:200]).select_related("estate"):
            try:
                services.meeting_add_to_agenda(meeting=meeting, appeal=appeal, by=request.user)
                added += 1
            except services.MoveRefused as refused:
                messages.error(request, f"{appeal.display_code}: {refused.message}")
        if added:
            messages.success(request, _("%(n)d appeals put on the agenda.") % {"n": added})
        return self._page(meeting)

    # --- Department review scores: a clerk types the paper sheets, one department a page.

    def _scoring_meeting(self, request, object_id):
        meeting = self._meeting_or_404(request, object_id)
        if meeting.type != MeetingType.DEPARTMENT_REVIEW:
            raise Http404
        if not may(request.user, CHANGE, Meeting):
            raise PermissionDenied
        return meeting

    def _scoring_context(self, request, meeting, **context):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "meeting": meeting,
            "page": reverse("admin:meetings_meeting_change", args=[meeting.pk]),
            **context,
        }

    @staticmethod
    def _departments_to_score(meeting):
        """The active departments, and any scored here since made inactive."""
        return list(
            Department.objects.filter(Q(active=True) | Q(review_scores__meeting=meeting)).distinct()
        )

    def score_departments_view(self, request, object_id):
        meeting = self._scoring_meeting(request, object_id)
        means = review_means(meeting=meeting)
        departments = [
            {"department": d, "figures": means.get(d.pk)}
            for d in self._departments_to_score(meeting)
        ]
        context = self._scoring_context(
            request,
            meeting,
            departments=departments,
            title=_("Enter review scores: choose a department"),
        )
        return TemplateResponse(request, "admin/meetings/meeting/score_departments.html", context)

    def score_sheet_view(self, request, object_id, department_id):
        meeting = self._scoring_meeting(request, object_id)
        departments = self._departments_to_score(meeting)
        department = next((d for d in departments if d.pk == department_id), None)
        if department is None:
            raise Http404
        reviewers = review_sheet(meeting=meeting, department=department)
        by_key = {r.key: r for r in reviewers}
        Rows = review_rows(len(reviewers))
        if request.method == "POST":
            rows = Rows(request.POST, prefix="score")
            if not rows.is_valid():
                messages.error(request, _("Some lines need correcting; nothing was saved."))
            elif self._save_sheet(request, meeting, department, rows, by_key):
                return redirect(self._after_sheet(request, meeting, department, departments))
        else:
            rows = Rows(
                prefix="score",
                initial=[
                    {
                        "reviewer": r.key,
                        **(
                            {
                                "attitude": r.score.attitude,
                                "efficiency": r.score.efficiency,
                                "results": r.score.results,
                                "comment": r.score.comment,
                            }
                            if r.score
                            else {}
                        ),
                    }
                    for r in reviewers
                ],
            )
        if rows.forms:  # the cursor in the first line, or in the first one to correct
            first = next((f for f in rows.forms if f.errors), rows.forms[0])
            first.fields["attitude"].widget.attrs["autofocus"] = True
        lines = [
            {"form": form, "reviewer": by_key.get(form["reviewer"].value())} for form in rows.forms
        ]
        position = departments.index(department)
        context = self._scoring_context(
            request,
            meeting,
            department=department,
            rows=rows,
            lines=lines,
            has_next=position + 1 < len(departments),
            position=position + 1,
            count=len(departments),
            title=_("Review scores: %(department)s") % {"department": department},
        )
        return TemplateResponse(request, "admin/meetings/meeting/score_sheet.html", context)

    def _save_sheet(self, request, meeting, department, rows, by_key) -> bool:
        filled = []
        for index, form in enumerate(rows.forms):
            if form.is_blank():
                continue
            reviewer = by_key.get(form.cleaned_data["reviewer"])
            if reviewer is None:
                form.add_error(None, _("This reviewer is no longer on the meeting's lists."))
                return False
            filled.append(
                (
                    index,
                    {
                        "member": reviewer.member_id,
                        "representative": reviewer.representative,
                        **{
                            f: form.cleaned_data[f]
                            for f in ("attitude", "efficiency", "results", "comment")
                        },
                    },
                )
            )
        try:
            entered = services.review_scores_enter(
                meeting=meeting,
                department=department,
                rows=[r for _i, r in filled],
                by=request.user,
            )
        except services.MoveRefused as refused:
            row = getattr(refused, "row", None)
            if row is not None and row < len(filled):
                rows.forms[filled[row][0]].add_error(None, refused.message)
            messages.error(request, refused.message)
            return False
        messages.success(
            request,
            _("%(department)s: %(created)d scores entered, %(corrected)d corrected.")
            % {
                "department": department,
                "created": entered.created,
                "corrected": entered.corrected,
            },
        )
        return True

    @staticmethod
    def _after_sheet(request, meeting, department, departments) -> str:
        position = departments.index(department)
        if "next" in request.POST and position + 1 < len(departments):
            return reverse(
                "admin:meetings_meeting_score_sheet",
                args=[meeting.pk, departments[position + 1].pk],
            )
        return reverse("admin:meetings_meeting_change", args=[meeting.pk]) + "#review-scores"
