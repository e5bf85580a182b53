"""The appeal page's "Credit the members who handled it" (meetings.credits): a form of
members of the appeal's estate, posted to `<id>/credit/`. Mixed into the appeal's admin; not
one of its moves."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from branches.models import Member
from branches.scoped_admin import ModelMultipleIdsField

from ..credits import (
    appeal_credit_choices,
    appeal_credit_members,
    appeal_credit_open,
    appeal_credited,
)
from ..moves import MoveRefused


class AppealCreditForm(forms.Form):
    members = ModelMultipleIdsField(
        label=gettext_lazy("Members who handled it"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Each is credited once in the contribution ledger."),
    )

    def __init__(self, *args, appeal, user, **kwargs):
        super().__init__(*args, prefix="credit", **kwargs)
        self.fields["members"].queryset = appeal_credit_choices(appeal=appeal, user=user)


class AppealCreditMixin:
    def get_urls(self):
        return [
            path(
                "<path:object_id>/credit/",
                self.admin_site.admin_view(self.credit_view),
                name="meetings_appeal_credit",
            ),
            *super().get_urls(),
        ]

    def credit_context(self, request, appeal) -> dict:
        """The credit form for the appeal's page (a refused one comes back as `credit_bound`,
        with what was ticked), and who was credited already."""
        if not appeal_credit_open(appeal=appeal, user=request.user):
            return {}
        return {
            "credit_form": AppealCreditForm(appeal=appeal, user=request.user),
            "credited_members": appeal_credited(appeal=appeal),
            "credit_url": reverse("admin:meetings_appeal_credit", args=[appeal.pk]),
        }

    def credit_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        appeal = self.get_object(request, object_id)
        if appeal is None:
            raise Http404
        form = AppealCreditForm(request.POST, appeal=appeal, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Choose the members who handled it."))
            return self.change_page_again(request, appeal, {"credit_bound": form})
        try:
            credited = appeal_credit_members(
                appeal=appeal, members=form.cleaned_data["members"], by=request.user
            )
        except MoveRefused as refused:
            messages.error(request, refused.message)
            return self.change_page_again(request, appeal, {"credit_bound": form})
        messages.success(
            request, _("%(n)d members credited in the contribution ledger.") % {"n": credited}
        )
        return redirect(reverse("admin:meetings_appeal_change", args=[appeal.pk]))
