"""Forms of the ledger's and the commitments' staff pages. They only clean input; the
services in branches.ledger and branches.commitments decide. A form that writes the ledger
carries a one-time token (a hidden UUID made when the page is shown): its entry's key, so a
form sent twice counts once."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .commitments import CommitmentRefused, commitment_check
from .models import Commitment, ContributionEntry, ContributionSource, Member
from .scoped_admin import ConstraintCheckingForm, ModelMultipleIdsField

POINTS_MAX = 1000
PHOTO_MAX_BYTES = 5 * 1024 * 1024


class TokenField(forms.UUIDField):
    """The hidden one-time token: a new one each time the page is shown."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(initial=uuid.uuid4, **kwargs)
        self.error_messages["required"] = _("The form is incomplete: open the page again.")
        self.error_messages["invalid"] = _("The form is incomplete: open the page again.")


def _not_in_future(day):
    if day and day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    return day


class AwardForm(ConstraintCheckingForm):
    """A manual award (the ledger's add page): a member of the user's scope, points, the
    date and the reason; the token is the entry's key."""

    token = TokenField()

    class Meta:
        model = ContributionEntry
        fields = ["member", "on", "points", "reason"]
        help_texts = {
            "reason": _("Required: residents and members may ask why."),
            "points": _("From 1 to 1,000."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.source = ContributionSource.MANUAL
        member = self.fields["member"]
        member.queryset = member.queryset.select_related("estate").order_by("estate__name", "name")
        member.label_from_instance = lambda m: f"{m.name}（{m.estate.name}）"
        self.fields["reason"].required = True
        self.fields["points"].widget.attrs.update(min=1, max=POINTS_MAX)
        self.initial.setdefault("on", timezone.localdate())

    def clean_points(self):
        points = self.cleaned_data.get("points")
        if points is not None and not 1 <= points <= POINTS_MAX:
            raise ValidationError(
                _("Points of an award are from 1 to %(max)d.") % {"max": POINTS_MAX}
            )
        return points

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on"))

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("Say why the member is awarded."))
        return reason


class CorrectionForm(forms.Form):
    """A correction of an entry: the change to the member's total (negative to take points
    off) and the reason; the token is the correction's key."""

    points = forms.IntegerField(
        label=_("Change in points"),
        min_value=-POINTS_MAX,
        max_value=POINTS_MAX,
        help_text=_("Negative to take points off; the entry itself stays as it is."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    token = TokenField()

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise ValidationError(_("A correction changes the points."))
        return points

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the entry is corrected."))
        return reason


class ConsentForm(forms.Form):
    """A member's consent to a public card, or its withdrawal, and the day it was given."""

    given = forms.TypedChoiceField(
        choices=[("1", _("consents")), ("0", _("withdraws"))], coerce=lambda v: v == "1"
    )
    on = forms.DateField(label=_("Date"), help_text=_("The day the member said so."))

    def clean_on(self):
        return _not_in_future(self.cleaned_data.get("on"))


# --- commitments -------------------------------------------------------------------------


class CommitmentForm(ConstraintCheckingForm):
    """A group's new commitment (the add page); saved by `commitment_add`."""

    class Meta:
        model = Commitment
        fields = ["group", "year", "text", "due_on", "members"]
        help_texts = {
            "members": _("The members responsible: each is credited once it is verified."),
            "due_on": _("Within the commitment's year."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)

    def clean(self):
        cleaned = super().clean()
        group, year, due_on = cleaned.get("group"), cleaned.get("year"), cleaned.get("due_on")
        if group is not None and year is not None and due_on is not None:
            try:
                commitment_check(
                    group=group,
                    year=year,
                    text=cleaned.get("text", ""),
                    due_on=due_on,
                    members=cleaned.get("members", []),
                )
            except CommitmentRefused as refused:
                raise ValidationError(refused.message) from None
        return cleaned


class CommitmentChangeForm(forms.Form):
    text = forms.CharField(label=_("Commitment"), max_length=300)
    due_on = forms.DateField(label=_("Due"))
    members = ModelMultipleIdsField(
        label=_("Members responsible"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members if members is not None else Member.objects.none()


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        help_text=_("From 0 to 100; at 100 the secretary can verify it."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done; leave empty to keep the evidence there."),
    )
    evidence_photo = forms.ImageField(
        label=_("Evidence photo"),
        required=False,
        help_text=_("Seen by staff only, never on a public page. At most 5 MB."),
    )

    def clean_evidence_photo(self):
        photo = self.cleaned_data.get("evidence_photo")
        if photo is not None and photo.size > PHOTO_MAX_BYTES:
            raise ValidationError(_("The photo is larger than 5 MB."))
        return photo


class VerifyForm(forms.Form):
    """Nothing to type: verifying is a confirmed click."""
