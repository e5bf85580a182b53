"""The five-standards checklist's staff pages: the template (a town's list of items under the
five standards), the checklists (estate, year, status, totals) and a checklist's page,
grouped by standard, with the forms `checklist_moves_open` says the user may use now. Every
write is a service of branches.checklists; evidence files are served only here, through the
scope gate."""

import logging
from itertools import groupby

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .checklist_forms import AssessForm, ChecklistOpenForm, ReviewForm
from .checklists import (
    ChecklistRefused,
    checklist_entry_assess,
    checklist_entry_review,
    checklist_moves_open,
    checklist_open,
    checklist_refresh_auto,
    checklist_review,
    checklist_submit,
)
from .models import Checklist, Standard, StandardItem
from .queries import checklist_subtotals, checklists_with_totals
from .scope import checklists_for, staff_scope, standard_items_for
from .scoped_admin import ScopedModelAdmin

logger = logging.getLogger(__name__)


@admin.register(StandardItem)
class StandardItemAdmin(ScopedModelAdmin):
    """The template: items under the five standards. An item is never deleted (the
    checklists that used it keep it); one in use keeps its standard and full score, so the
    totals of past checklists stay what they were: put it out of use and add a new one."""

    gate = standard_items_for
    list_display = ["name", "name_en", "standard", "max_score", "auto_check", "active", "position"]
    list_filter = ["standard", "active", "auto_check"]
    search_fields = ["name", "name_en"]
    fields = ["standard", "name", "name_en", "max_score", "auto_check", "active", "position"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.entries.exists():
            return ["standard", "max_score"]
        return []

    def has_delete_permission(self, request, obj=None):
        return False


def checklist_status_badge(checklist) -> str:
    return format_html(
        '<span class="status-badge checklist-{}">{}</span>',
        checklist.status,
        checklist.get_status_display(),
    )


def _score(value) -> str:
    return "—" if value is None else str(value)


MOVE_LABELS = {
    "assess": gettext_lazy("Save the self-assessment"),
    "refresh": gettext_lazy("Check the automatic items again"),
    "submit": gettext_lazy("Submit for review"),
    "review_scores": gettext_lazy("Save the review scores"),
    "review": gettext_lazy("Finish the review"),
}


@admin.register(Checklist)
class ChecklistAdmin(ScopedModelAdmin):
    gate = checklists_for
    form = ChecklistOpenForm
    page_template = "admin/branches/checklist/checklist_page.html"
    list_display = [
        "estate",
        "community",
        "year",
        "status_display",
        "self_total_display",
        "review_total_display",
        "full_score_display",
    ]
    list_filter = ["year", "status", "estate"]
    list_select_related = ["estate__community"]
    search_fields = ["estate__name"]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return checklists_with_totals(super().get_queryset(request))

    @admin.display(description=gettext_lazy("community"))
    def community(self, checklist):
        return checklist.estate.community.name

    @admin.display(description=gettext_lazy("status"), ordering="status")
    def status_display(self, checklist):
        return checklist_status_badge(checklist)

    @admin.display(description=gettext_lazy("self-assessment"), ordering="self_total")
    def self_total_display(self, checklist):
        return _score(checklist.self_total)

    @admin.display(description=gettext_lazy("review score"), ordering="review_total")
    def review_total_display(self, checklist):
        return _score(checklist.review_total)

    @admin.display(description=gettext_lazy("full score"))
    def full_score_display(self, checklist):
        return _score(checklist.full_score)

    # --- the add page: open a checklist ------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(
            form.__name__, (form,), {"refused": getattr(request, "_checklist_refused", None)}
        )

    def get_changeform_initial_data(self, request):
        scope = staff_scope(request.user)
        return {"estate": scope.estate_id} if scope and scope.estate_id else {}

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = checklist_open(
            estate=form.cleaned_data["estate"], year=form.cleaned_data["year"], by=request.user
        )
        obj.pk = created.pk
        obj._state.adding = False

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ChecklistRefused as refusal:
            # the form checks what it can; what only the service knows comes back on it
            if request.method != "POST" or hasattr(request, "_checklist_refused"):
                raise
            request._checklist_refused = refusal
            return super().add_view(request, form_url, extra_context)

    def has_change_permission(self, request, obj=None):
        return False  # the page changes only through its moves (they check their own right)

    def has_delete_permission(self, request, obj=None):
        return False  # a checklist is a record of its year

    # --- a checklist's page ------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/move/<str:move>/",
                self.admin_site.admin_view(self.move_view),
                name="branches_checklist_move",
            ),
            path(
                "<path:object_id>/evidence/<int:entry_id>/",
                self.admin_site.admin_view(self.evidence_view),
                name="branches_checklist_evidence",
            ),
            *super().get_urls(),
        ]

    def _entries(self, checklist):
        return list(checklist.entries.select_related("item").order_by(*ENTRY_ORDER))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        checklist = self.get_object(request, object_id)
        if checklist is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return self.checklist_page(request, checklist, **(extra_context or {}))

    def checklist_page(self, request, checklist, *, assess=None, review=None):
        entries = self._entries(checklist)
        moves = checklist_moves_open(checklist=checklist, user=request.user)
        assess = assess or (AssessForm(entries=entries) if moves["assess"] else None)
        review = review or (ReviewForm(entries=entries) if moves["review_scores"] else None)
        subtotals, total = checklist_subtotals(checklist=checklist)
        by_standard = {row["standard"]: row for row in subtotals}
        labels = dict(Standard.choices)
        sections = [
            {
                "label": labels.get(standard, standard),
                "number": standard,
                "subtotal": by_standard.get(standard),
                "rows": [
                    {
                        "entry": entry,
                        "assess": assess.fields_of(entry) if assess else None,
                        "review": review.fields_of(entry) if review else None,
                    }
                    for entry in rows
                ],
            }
            for standard, rows in groupby(entries, key=lambda e: e.item.standard)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(checklist),
            "checklist": checklist,
            "original": checklist,
            "status_badge": checklist_status_badge(checklist),
            "sections": sections,
            "total": total,
            "moves": moves,
            "move_labels": MOVE_LABELS,
            "assess_form": assess,
            "review_form": review,
            "has_view_permission": True,
        }
        return TemplateResponse(request, self.page_template, context)

    def move_view(self, request, object_id, move):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        checklist = self.get_object(request, object_id)
        if checklist is None or move not in MOVE_LABELS:
            raise Http404
        label = MOVE_LABELS[move]
        page = reverse("admin:branches_checklist_change", args=[checklist.pk])
        entries = self._entries(checklist)
        form = None
        if move in ("assess", "review_scores"):
            form_class = AssessForm if move == "assess" else ReviewForm
            form = form_class(request.POST, request.FILES, entries=entries)
            if not form.is_valid():
                messages.error(
                    request, _("%(action)s: please correct what is marked.") % {"action": label}
                )
                return self._again(request, checklist, move, form)
        try:
            self._run(request, checklist, move, form)
        except ChecklistRefused as refusal:
            messages.error(request, refusal.message)
            return self._again(request, checklist, move, form)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return self._again(request, checklist, move, form)
        messages.success(request, _("%(action)s: done.") % {"action": label})
        return HttpResponseRedirect(page)

    def _again(self, request, checklist, move, form):
        """The page again, with what was typed (a form) beside the message."""
        checklist.refresh_from_db()
        kwargs = {"assess": form} if move == "assess" else {}
        if move == "review_scores":
            kwargs = {"review": form}
        return self.checklist_page(request, checklist, **kwargs)

    def _run(self, request, checklist, move, form):
        user = request.user
        if move == "refresh":
            checklist_refresh_auto(checklist=checklist, by=user)
        elif move == "submit":
            checklist_submit(checklist=checklist, by=user)
        elif move == "review":
            checklist_review(checklist=checklist, by=user)
        elif move == "assess":
            with transaction.atomic():
                for entry in form.entries:
                    if form.changed(entry):
                        checklist_entry_assess(
                            entry=entry,
                            by=user,
                            self_score=form.value(entry, "self_score"),
                            evidence=form.value(entry, "evidence") or "",
                            evidence_file=form.value(entry, "evidence_file"),
                            clear_file=bool(form.value(entry, "clear_file")),
                        )
        elif move == "review_scores":
            with transaction.atomic():
                for entry in form.entries:
                    if form.changed(entry):
                        checklist_entry_review(
                            entry=entry, by=user, review_score=form.value(entry, "review_score")
                        )

    def evidence_view(self, request, object_id, entry_id):
        """An entry's evidence file, to staff who see the checklist (else "not found")."""
        checklist = self.get_object(request, object_id)
        if checklist is None:
            raise Http404
        entry = checklist.entries.filter(pk=entry_id).exclude(evidence_file="").first()
        if entry is None:
            raise Http404
        try:
            file = entry.evidence_file.open("rb")
        except FileNotFoundError:
            logger.warning("checklist %s: entry %s has no file", checklist.pk, entry.pk)
            raise Http404 from None
        name = entry.evidence_file.name.rsplit("/", 1)[-1]
        response = FileResponse(file, as_attachment=True, filename=name)
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


ENTRY_ORDER = ["item__standard", "item__position", "item_id"]
