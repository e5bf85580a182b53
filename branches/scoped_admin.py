"""A ModelAdmin whose every list, object page, autocomplete, filter and form choice goes
through the scope gate (branches.scope). The admin of every app builds on it."""

from collections.abc import Mapping

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import router
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from .formsets import BoundedInlineFormSet
from .phones import MAINLAND_MOBILE, normalize_mobile, phone_form_class
from .scope import ADD, CHANGE, DELETE, VIEW, gate_for, may


def _label(obj) -> str:
    """A user by the name the lists show (a handler column shows full names), else str()."""
    if isinstance(obj, AbstractBaseUser):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-object filter that offers only the objects the user may see."""

    def field_choices(self, field, request, model_admin):
        queryset = gate_for(field.related_model)(request.user)
        if any(f.name == "estate" for f in field.related_model._meta.concrete_fields):
            queryset = queryset.select_related("estate")  # their names include the estate
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, _label(obj)) for obj in queryset]


ROW_IDS = range(-(2**63), 2**63)  # what a database integer holds (SQLite, PostgreSQL bigint)


class ModelMultipleIdsField(forms.ModelMultipleChoiceField):
    """A field of several choices where an id no database integer holds ("9223372036854775808")
    is an invalid choice with a message, not a query SQLite cannot even run."""

    def _check_values(self, value):
        model = self.queryset.model
        key = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        for v in value if isinstance(value, list | tuple) else []:
            try:
                number = key.to_python(v)
            except ValidationError:
                continue  # not a number at all: the field's own check says so
            if isinstance(number, int) and number not in ROW_IDS:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": v},
                )
        return super()._check_values(value)


class _ValidIdsOnly:
    """Autocomplete widgets look up the submitted ids to show them; one that is not an id at
    all ("abc") must be dropped there, not crash the page (the field then says it is invalid)."""

    def optgroups(self, name, value, attr=None):
        pk = self.choices.queryset.model._meta.pk
        valid = []
        for v in value:
            try:
                number = pk.to_python(v)
            except ValidationError:
                continue
            if isinstance(number, int) and not 0 < number < 2**63:
                continue  # no row has it, and SQLite cannot even look it up
            valid.append(v)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteSelect(_ValidIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidIdsOnly, AutocompleteSelectMultiple):
    pass


class ConstraintCheckingForm(forms.ModelForm):
    """Fields shown read-only keep their value on the instance, so the model's unique and
    check constraints that use them are still checked (and answered with a message rather
    than by the database with an error page)."""

    readonly_model_fields: tuple = ()

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - set(self.readonly_model_fields)


class BoundedInline:
    """Mixed into every inline (a test checks): its formset builds the object's rows and
    `max_new` new ones at most, whatever count the request claims (BoundedInlineFormSet).
    Its `formset`, if set, must be a BoundedInlineFormSet."""

    formset = BoundedInlineFormSet
    max_new = 0  # the new rows one save may add ("Add another" stops there)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.max_new = self.max_new  # a class made for this request
        return formset


class ScopedModelAdmin(admin.ModelAdmin):
    """Subclasses set `gate`: a function of the user returning the objects it may see."""

    gate = None
    form = ConstraintCheckingForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        names = {f.name for f in self.model._meta.concrete_fields}
        form.readonly_model_fields = tuple(
            f for f in self.get_readonly_fields(request, obj) if f in names
        )
        return form

    def get_queryset(self, request):
        queryset = type(self).gate(request.user)
        ordering = self.get_ordering(request)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return queryset

    # Roles, not Django's per-model permissions, decide what staff may do (branches.scope).
    def has_module_permission(self, request):
        return may(request.user, VIEW, self.model)

    def has_view_permission(self, request, obj=None):
        return may(request.user, VIEW, self.model)

    def has_add_permission(self, request):
        return may(request.user, ADD, self.model)

    def has_change_permission(self, request, obj=None):
        return may(request.user, CHANGE, self.model)

    def has_delete_permission(self, request, obj=None):
        return may(request.user, DELETE, self.model)

    def change_page_again(self, request, obj, extra_context):
        """After a refused POST to one of the page's own forms: the object's page as a GET,
        with what was typed (passed in extra_context) and the messages set."""
        request.method = "GET"
        return self.changeform_view(request, str(obj.pk), extra_context=extra_context)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Phone numbers as people type them (fullwidth digits, spaces, +86): one cleaning.
        form_class = phone_form_class(db_field)
        if form_class is not None:
            kwargs.setdefault("form_class", form_class)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # A number typed in fullwidth digits or with spaces finds what its digits find.
        phone = normalize_mobile(search_term.strip())
        if MAINLAND_MOBILE.match(phone):
            search_term = phone
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        gate = gate_for(db_field.related_model)
        if gate and "queryset" not in kwargs:
            kwargs["queryset"] = gate(request.user)
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            using = kwargs.get("using") or router.db_for_read(db_field.related_model)
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=using)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", ModelMultipleIdsField)
        gate = gate_for(db_field.related_model)
        if gate and "queryset" not in kwargs:
            kwargs["queryset"] = gate(request.user)
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            using = kwargs.get("using") or router.db_for_read(db_field.related_model)
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=using
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_list_filter(self, request):
        """Every filter on a related object goes through the gate; one without a gate is
        refused rather than allowed to list another community's names."""
        filters = []
        for item in super().get_list_filter(request):
            if isinstance(item, str):
                field = get_fields_from_path(self.model, item)[-1]
                if field.is_relation:
                    if gate_for(field.related_model) is None:
                        raise ImproperlyConfigured(
                            f"{type(self).__name__}: no scope gate for the filter {item!r}"
                        )
                    item = (item, ScopedRelatedFilter)
            filters.append(item)
        return filters


class ObjectActions:
    """Mixed into a ScopedModelAdmin (before it) whose object page is read-only and offers
    "actions": a form a move, each posted to `<id>/act/<name>/` (URL name
    `<app>_<model>_act`), which calls a service. An invalid form, or a refusal by the service
    (an exception of the class `refusal`, with a `.message`), brings the page back with what
    was typed and a message; success redirects to the page with a message.

    The template shows the list `object_actions` (admin/includes/object_actions.html); each
    has name, label, confirm, form, open (the refused one, as it was typed) and url. The page
    shows `PAGE_FIELDSETS`, every field read-only.

    What differs between pages, the subclass says:
    - `object_action_table`: name -> entry, every action the page knows (others are 404);
    - `refusal`: the exception class a service refuses with;
    - `object_page(request, obj)`: which actions are offered now and the page's own context;
    - `object_action_form(request, obj, name, data=None)`: the action's form (bound to data);
    - `object_action_run(request, obj, name, data)`: the service call, with cleaned data;
    - `object_action_label(name)`, `object_action_confirm(name)`: by default the entry's
      `label` and `confirm` ("" asks nothing before the form is sent);
    - `object_action_done(request, obj, name)`: anything more to say after success;
    - `object_page_url(obj)`: the object's page (by default its admin change page)."""

    object_action_table: Mapping = {}
    refusal: type[Exception] | None = None
    # The object page's fieldsets, every field read-only (an add page shows the form as usual).
    PAGE_FIELDSETS: list = []

    def page_fields(self) -> list[str]:
        return [name for _title, group in self.PAGE_FIELDSETS for name in group["fields"]]

    def get_readonly_fields(self, request, obj=None):
        if obj is None or not self.PAGE_FIELDSETS:
            return super().get_readonly_fields(request, obj)
        return self.page_fields()

    def get_fieldsets(self, request, obj=None):
        if obj is None or not self.PAGE_FIELDSETS:
            return super().get_fieldsets(request, obj)
        return self.PAGE_FIELDSETS

    def object_page(self, request, obj) -> tuple[Mapping[str, bool], dict]:
        """(name -> open now, in the page's order; a name left out is never shown, not even
        as a refused form), and the page's own context."""
        raise NotImplementedError

    def object_action_form(self, request, obj, name, data=None):
        raise NotImplementedError

    def object_action_run(self, request, obj, name, data):
        raise NotImplementedError

    def object_action_label(self, name) -> str:
        return self.object_action_table[name].label

    def object_action_confirm(self, name) -> str:
        return getattr(self.object_action_table[name], "confirm", "")

    def object_action_done(self, request, obj, name) -> None:
        """After a successful action, before the redirect: any further message."""

    def object_page_url(self, obj) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])

    def get_urls(self):
        if self.refusal is None:
            raise ImproperlyConfigured(f"{type(self).__name__}: no refusal class for its actions")
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/act/<str:action>/",
                self.admin_site.admin_view(self.act_view),
                name=f"{opts.app_label}_{opts.model_name}_act",
            ),
            *super().get_urls(),
        ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            obj = self.get_object(request, object_id)
            if obj is not None:
                extra_context.update(
                    self._object_page_context(request, obj, extra_context.get("bound_action"))
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _object_page_context(self, request, obj, bound=None):
        offered, context = self.object_page(request, obj)
        opts = self.model._meta
        actions = []
        for name, open_now in offered.items():
            # a refused action's form stays, with what was typed, beside the message why
            mine = bound is not None and bound.prefix == name
            if not (open_now or mine):
                continue
            actions.append(
                {
                    "name": name,
                    "label": self.object_action_label(name),
                    "confirm": self.object_action_confirm(name),
                    "form": bound if mine else self.object_action_form(request, obj, name),
                    "open": mine,
                    "url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_act", args=[obj.pk, name]
                    ),
                }
            )
        return {
            **context,
            "object_actions": actions,
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }

    def act_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, object_id)
        if obj is None or action not in self.object_action_table:
            raise Http404
        label = self.object_action_label(action)
        form = self.object_action_form(request, obj, action, request.POST)
        if not form.is_valid():
            messages.error(
                request, _("%(action)s: please correct what is marked.") % {"action": label}
            )
            return self.change_page_again(request, obj, {"bound_action": form})
        try:
            self.object_action_run(request, obj, action, form.cleaned_data)
        except self.refusal as refused:
            messages.error(request, refused.message)
            obj.refresh_from_db()
            return self.change_page_again(request, obj, {"bound_action": form})
        messages.success(request, _("%(action)s: done.") % {"action": label})
        self.object_action_done(request, obj, action)
        return redirect(self.object_page_url(obj))
