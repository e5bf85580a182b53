"""The contribution ledger's staff pages (党员亮身份、服务比贡献) and the building groups'
commitments (小组亮承诺).

- The rule table: points per kind of contribution; who may change it is ROLE_ACTIONS' say (a
  town's list: superusers). A change applies to new entries only; the page says so.
- The ledger: a scoped list filtered by estate, member, source and year, with the total of
  the rows the filters keep; no edit, no delete (the database refuses them too). Its add
  page is the manual award; each entry's page offers a correction. Both go through
  branches.ledger with a one-time token as their key, so a form sent twice counts once.
- Consents: a scoped list (read-only); a member's page shows the consent in force and its
  history with buttons to record consent or its withdrawal (`record/<member id>/`, through
  `member_consent_set`). No page here shows a phone.
- Commitments: list by estate, group, year and state; the add page; each commitment's page
  is read-only with actions (progress with evidence, change, verify) calling
  branches.commitments; the evidence photo is served to staff only, through the gate."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import scope
from .commitments import (
    STATES,
    CommitmentRefused,
    commitment_add,
    commitment_change,
    commitment_progress,
    commitment_verify,
    may_verify,
    state_of,
    state_q,
)
from .forms_ledger import (
    AwardForm,
    CommitmentChangeForm,
    CommitmentForm,
    ConsentForm,
    CorrectionForm,
    ProgressForm,
    VerifyForm,
)
from .ledger import ledger_award, ledger_correct, member_consent_set
from .models import (
    Commitment,
    ContributionEntry,
    ContributionRule,
    ContributionSource,
    MemberConsent,
)
from .queries import ledger_total
from .scoped_admin import ConstraintCheckingForm, ObjectActions, ScopedModelAdmin

YEARS_BACK = 5  # the year filters offer this year and the four before


class LedgerRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


class YearFilter(admin.SimpleListFilter):
    """This year and the few before, without reading the table for its years."""

    title = gettext_lazy("year")
    parameter_name = "year"
    field = "on__year"

    def lookups(self, request, model_admin):
        this_year = timezone.localdate().year
        return [(str(y), str(y)) for y in range(this_year, this_year - YEARS_BACK, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) == 4:
            return queryset.filter(**{self.field: int(value)})
        return queryset


class WithinEstateFilter(admin.SimpleListFilter):
    """A filter by one object of an estate (a member, a group) that lists its choices only
    once an estate is chosen, so the filter never lists a whole town's names; the rows link
    to it as well. Subclasses say the gate, the estate parameter and the field."""

    gate = None
    estate_parameter = ""
    field = ""

    def _chosen_estate(self, request):
        value = request.GET.get(self.estate_parameter, "")
        return int(value) if value.isdigit() and len(value) < 19 else None

    def lookups(self, request, model_admin):
        gate = type(self).gate
        estate = self._chosen_estate(request)
        if estate is not None:
            rows = gate(request.user).filter(estate=estate)
        elif self.value() and self.value().isdigit() and len(self.value()) < 19:
            rows = gate(request.user).filter(pk=int(self.value()))
        else:
            return []
        return [(str(pk), name) for pk, name in rows.order_by("name").values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit() or len(value) >= 19:
            return queryset.none()
        return queryset.filter(**{self.field: int(value)})


class SourceFilter(admin.SimpleListFilter):
    """By what an entry came from (the model's field is named "from", which reads badly as
    a filter's title)."""

    title = gettext_lazy("source")
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return ContributionSource.choices

    def queryset(self, request, queryset):
        if self.value() in ContributionSource.values:
            return queryset.filter(source=self.value())
        return queryset


class MemberFilter(WithinEstateFilter):
    title = gettext_lazy("member")
    parameter_name = "member"
    gate = staticmethod(scope.members_for)
    estate_parameter = "member__estate__id__exact"
    field = "member"


# --- the rule table ----------------------------------------------------------------------


@admin.register(ContributionRule)
class ContributionRuleAdmin(ScopedModelAdmin):
    gate = scope.contribution_rules_for
    list_display = ["source", "points"]
    fields = ["source", "points"]
    change_list_template = "admin/branches/contributionrule/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return ["source"] if obj is not None else []

    def has_add_permission(self, request):
        return False  # one row per kind, seeded by a migration

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["help_texts"] = {
            "points": _(
                "A change applies to new entries only: the entries already in the ledger keep "
                "their points."
            )
        }
        return super().get_form(request, obj, change, **kwargs)


# --- the ledger --------------------------------------------------------------------------


@admin.register(ContributionEntry)
class ContributionEntryAdmin(ObjectActions, ScopedModelAdmin):
    gate = scope.contributions_for
    form = AwardForm
    change_list_template = "admin/branches/contributionentry/change_list.html"
    change_form_template = "admin/branches/contributionentry/change_form.html"
    list_display = [
        "on",
        "member_link",
        "estate_name",
        "source_name",
        "points_signed",
        "reason",
        "corrects_link",
    ]
    list_display_links = ["on"]
    list_filter = ["member__estate", MemberFilter, SourceFilter, YearFilter]
    list_select_related = ["member__estate"]
    list_per_page = 100
    search_fields = ["member__name", "reason"]
    show_facets = admin.ShowFacets.NEVER

    PAGE_FIELDSETS = [
        (None, {"fields": ["member", "on", "source", "points", "reason", "key"]}),
        (gettext_lazy("Recorded"), {"fields": ["corrects", "recorded_by", "recorded_at"]}),
    ]

    @admin.display(description=gettext_lazy("member"), ordering="member__name")
    def member_link(self, entry):
        url = reverse("admin:branches_contributionentry_changelist")
        return format_html('<a href="{}?member={}">{}</a>', url, entry.member_id, entry.member.name)

    @admin.display(description=gettext_lazy("estate"))
    def estate_name(self, entry):
        return entry.member.estate.name

    @admin.display(description=gettext_lazy("source"), ordering="source")
    def source_name(self, entry):
        return entry.get_source_display()

    @admin.display(description=gettext_lazy("points"), ordering="points")
    def points_signed(self, entry):
        return f"{entry.points:+d}"

    @admin.display(description=gettext_lazy("corrects"))
    def corrects_link(self, entry):
        if entry.corrects_id is None:
            return "—"
        url = reverse("admin:branches_contributionentry_change", args=[entry.corrects_id])
        return format_html('<a href="{}">#{}</a>', url, entry.corrects_id)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:  # the entry's page shows it read-only: no award form there
            kwargs["form"] = ConstraintCheckingForm
        return super().get_form(request, obj, change, **kwargs)

    # append-only: never changed, never deleted (the database refuses both as well)
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            context["ledger_total"] = ledger_total(context["cl"].queryset)
            member = request.GET.get("member", "")
            if member.isdigit() and len(member) < 19:
                context["ledger_member"] = (
                    scope.members_for(request.user).filter(pk=int(member)).first()
                )
        return response

    # the add page: a manual award
    def save_model(self, request, obj, form, change):
        key = f"manual:{form.cleaned_data['token']}"
        entry = ledger_award(
            member=form.cleaned_data["member"],
            source=ContributionSource.MANUAL,
            key=key,
            on=form.cleaned_data["on"],
            points=form.cleaned_data["points"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        if entry is None:  # the same form sent again: counted once
            entry = ContributionEntry.objects.get(key=key)
            messages.info(request, _("This award was recorded already; it counts once."))
        obj.pk, obj.key, obj.source = entry.pk, entry.key, entry.source
        obj._state.adding = False

    # each entry's page: a correction
    object_action_table = {"correct": None}
    refusal = LedgerRefused

    def object_action_label(self, name):
        return _("Correct")

    def object_action_confirm(self, name):
        return ""

    def object_page(self, request, entry):
        may_correct = (
            scope.may(request.user, scope.ADD, ContributionEntry)
            and entry.source != ContributionSource.CORRECTION
        )
        corrections = list(ContributionEntry.objects.filter(corrects=entry).order_by("id"))
        return {"correct": may_correct}, {"entry": entry, "corrections": corrections}

    def object_action_form(self, request, entry, name, data=None):
        return CorrectionForm(data, prefix=name)

    def object_action_run(self, request, entry, name, data):
        if not scope.may(request.user, scope.ADD, ContributionEntry):
            raise LedgerRefused(_("You can read the ledger but not correct it."))
        if entry.source == ContributionSource.CORRECTION:
            raise LedgerRefused(_("Correct the entry itself, not a correction."))
        done = ledger_correct(
            entry=entry,
            points=data["points"],
            reason=data["reason"],
            by=request.user,
            key=f"correction:{entry.pk}:{data['token']}",
        )
        if done is None:
            messages.info(request, _("This correction was recorded already; it counts once."))


# --- consents ----------------------------------------------------------------------------


@admin.register(MemberConsent)
class MemberConsentAdmin(ScopedModelAdmin):
    """Read-only: a consent is recorded on the member's page."""

    gate = scope.consents_for
    list_display = ["member_name", "estate_name", "given", "on", "recorded_at"]
    list_filter = ["member__estate", "given"]
    list_select_related = ["member__estate"]
    search_fields = ["member__name"]
    fields = ["member", "given", "on", "recorded_by", "recorded_at"]
    readonly_fields = fields
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description=gettext_lazy("member"), ordering="member__name")
    def member_name(self, consent):
        url = reverse("admin:branches_member_change", args=[consent.member_id])
        return format_html('<a href="{}">{}</a>', url, consent.member.name)

    @admin.display(description=gettext_lazy("estate"))
    def estate_name(self, consent):
        return consent.member.estate.name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "record/<int:member_id>/",
                self.admin_site.admin_view(self.record_view),
                name="branches_memberconsent_record",
            ),
            *super().get_urls(),
        ]

    def record_view(self, request, member_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        member = scope.members_for(request.user).filter(pk=member_id).first()
        if member is None:
            raise Http404
        page = reverse("admin:branches_member_change", args=[member.pk])
        if not scope.may(request.user, scope.ADD, MemberConsent):
            messages.error(request, _("You can read consents but not record them."))
            return redirect(page)
        form = ConsentForm(request.POST)
        if not form.is_valid():
            errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, _("The consent was not recorded: %(why)s") % {"why": errors})
            return redirect(page)
        given = form.cleaned_data["given"]
        member_consent_set(member=member, given=given, on=form.cleaned_data["on"], by=request.user)
        if given:
            messages.success(request, _("Consent to a public card recorded."))
        else:
            messages.success(
                request, _("Withdrawal recorded: the member's card is off the public pages.")
            )
        return redirect(page)


# --- commitments -------------------------------------------------------------------------


class StateFilter(admin.SimpleListFilter):
    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return STATES

    def queryset(self, request, queryset):
        if self.value() in dict(STATES):
            return queryset.filter(state_q(self.value()))
        return queryset


class CommitmentYearFilter(YearFilter):
    field = "year"


class GroupFilter(WithinEstateFilter):
    title = gettext_lazy("building group")
    parameter_name = "group"
    gate = staticmethod(scope.groups_for)
    estate_parameter = "group__estate__id__exact"
    field = "group"


@admin.register(Commitment)
class CommitmentAdmin(ObjectActions, ScopedModelAdmin):
    gate = scope.commitments_for
    form = CommitmentForm
    autocomplete_fields = ["members"]
    change_form_template = "admin/branches/commitment/change_form.html"
    list_display = ["text", "group_name", "year", "due_on", "progress_display", "state_display"]
    list_filter = ["group__estate", GroupFilter, CommitmentYearFilter, StateFilter]
    list_select_related = ["group__estate"]
    search_fields = ["text", "group__name"]
    show_facets = admin.ShowFacets.NEVER

    PAGE_FIELDSETS = [
        (None, {"fields": ["group", "year", "text", "due_on", "members_list"]}),
        (
            gettext_lazy("Progress"),
            {"fields": ["progress", "evidence", "photo_link", "verified_by", "verified_at"]},
        ),
    ]

    @admin.display(description=gettext_lazy("building group"), ordering="group__name")
    def group_name(self, commitment):
        return str(commitment.group)

    @admin.display(description=gettext_lazy("progress"), ordering="progress")
    def progress_display(self, commitment):
        return f"{commitment.progress}%"

    @admin.display(description=gettext_lazy("state"))
    def state_display(self, commitment):
        state = state_of(commitment)
        return format_html(
            '<span class="commitment-state state-{}">{}</span>', state, dict(STATES)[state]
        )

    @admin.display(description=gettext_lazy("members responsible"))
    def members_list(self, commitment):
        return "、".join(m.name for m in commitment.members.all()) or "—"

    @admin.display(description=gettext_lazy("evidence photo"))
    def photo_link(self, commitment):
        if not commitment.evidence_photo:
            return "—"
        url = reverse("admin:branches_commitment_photo", args=[commitment.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Open the photo"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group__estate", "verified_by")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group":  # a group's name includes its estate's
            kwargs["queryset"] = scope.groups_for(request.user).select_related("estate")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return False  # the page is read-only; its actions call the services

    def has_delete_permission(self, request, obj=None):
        return False  # a commitment that was made stays on the record

    def get_fields(self, request, obj=None):
        return CommitmentForm.Meta.fields if obj is None else self.page_fields()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            created = commitment_add(
                group=data["group"],
                year=data["year"],
                text=data["text"],
                due_on=data["due_on"],
                members=data["members"],
                by=request.user,
            )
        except CommitmentRefused as refused:  # out of scope after all: nothing saved
            raise Http404(refused.message) from None
        obj.pk = created.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # the members were set by commitment_add

    def get_urls(self):
        return [
            path(
                "<path:object_id>/photo/",
                self.admin_site.admin_view(self.photo_view),
                name="branches_commitment_photo",
            ),
            *super().get_urls(),
        ]

    def photo_view(self, request, object_id):
        commitment = self.get_object(request, object_id)
        if commitment is None or not commitment.evidence_photo:
            raise Http404
        try:
            file = commitment.evidence_photo.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(file)
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    # the actions of a commitment's page
    object_action_table = {"progress": None, "change": None, "verify": None}
    refusal = CommitmentRefused

    def object_action_label(self, name):
        return {
            "progress": _("Record progress"),
            "change": _("Change the commitment"),
            "verify": _("Verify it is done"),
        }[name]

    def object_action_confirm(self, name):
        if name == "verify":
            return _("Verify this commitment? Its members are credited, and it cannot change.")
        return ""

    def object_page(self, request, commitment):
        open_ = commitment.verified_at is None and scope.may(request.user, scope.CHANGE, Commitment)
        offered = {
            "progress": open_,
            "change": open_,
            "verify": open_ and commitment.progress == 100 and may_verify(request.user, commitment),
        }
        state = state_of(commitment)
        return offered, {
            "commitment": commitment,
            "state": dict(STATES)[state],
            "state_name": state,
        }

    def _members_of_estate(self, request, commitment):
        return scope.members_for(request.user).filter(estate=commitment.group.estate_id)

    def object_action_form(self, request, commitment, name, data=None):
        if name == "progress":
            files = request.FILES if data is not None else None
            return ProgressForm(data, files, prefix=name, initial={"progress": commitment.progress})
        if name == "change":
            return CommitmentChangeForm(
                data,
                prefix=name,
                members=self._members_of_estate(request, commitment),
                initial={
                    "text": commitment.text,
                    "due_on": commitment.due_on,
                    "members": [m.pk for m in commitment.members.all()],
                },
            )
        return VerifyForm(data, prefix=name)

    def object_action_run(self, request, commitment, name, data):
        with transaction.atomic():
            if name == "progress":
                commitment_progress(
                    commitment=commitment,
                    progress=data["progress"],
                    evidence=data["evidence"],
                    photo=data["evidence_photo"],
                    by=request.user,
                )
            elif name == "change":
                commitment_change(
                    commitment=commitment,
                    text=data["text"],
                    due_on=data["due_on"],
                    members=data["members"],
                    by=request.user,
                )
            else:
                credited = commitment_verify(commitment=commitment, by=request.user)
                messages.info(
                    request,
                    _("%(n)d members credited in the ledger.") % {"n": credited},
                )


# A member's consent panel is shown on the member's page by the template
# admin/branches/member/change_form.html (templatetag branches.templatetags.ledger_admin).
