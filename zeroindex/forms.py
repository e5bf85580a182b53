"""The staff forms of the Five Zeros: an incident as a clerk records it, the two judgements on
it (verify, dismiss) and an estate's records start. They only clean what was typed and say
what is wrong next to the field; the services (zeroindex.services) make the change.

The admin makes a subclass per request with `user` (whose scope the choices and the appeal
look-up go through) and `refused` (a service's refusal of this very input, shown as the
form's error when the page comes back)."""

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from meetings.scope import appeals_for
from meetings.tracking import format_code, normalize_code

from .models import Incident, RecordsStart
from .services import (
    CLOCK_SLACK,
    EARLIEST_YEAR,
    start_too_early_message,
    too_early,
    too_early_message,
)

CORRECTION_HELP = _(
    "Records are not edited: to correct one, dismiss it saying why and record it again."
)


class RefusalAware:
    """Shows the service's refusal of this input (set by the admin) as the form's error."""

    user = None
    refused = None

    def clean(self):
        cleaned = super().clean()
        if self.refused is not None:
            self.add_error(None, self.refused.message)
        return cleaned


class IncidentForm(RefusalAware, forms.ModelForm):
    """What a clerk records: exactly incident_record's keyword arguments, the appeal typed
    as its tracking code."""

    appeal_code = forms.CharField(
        label=capfirst(_("linked appeal")),
        required=False,
        max_length=20,
        help_text=_("The tracking code of the appeal it came from, such as K7QF-93MX (optional)."),
    )

    # the service's keyword arguments, in the page's order
    SERVICE_FIELDS = ["estate", "building", "category", "occurred_at", "source", "description"]

    class Meta:
        model = Incident
        fields = [
            "estate",
            "building",
            "category",
            "occurred_at",
            "source",
            "appeal_code",
            "description",
        ]

    # For typing only (in Meta.help_texts they would show on the read-only incident page too).
    HELP = {
        "building": _("Optional; only a building of the chosen estate."),
        "occurred_at": _("When it happened (local time), not when it was reported."),
        "description": CORRECTION_HELP,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in self.HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text

    def clean_appeal_code(self):
        text = self.cleaned_data.get("appeal_code", "").strip()
        if not text:
            return None
        code = normalize_code(text)
        appeal = (
            appeals_for(self.user).filter(code=code).select_related("estate").first()
            if code
            else None
        )
        if appeal is None:
            raise forms.ValidationError(
                _("No appeal you can see has the code %(code)s."), params={"code": text}
            )
        return appeal

    def clean_occurred_at(self):
        when = self.cleaned_data.get("occurred_at")
        if when and when > timezone.now() + CLOCK_SLACK:
            raise forms.ValidationError(_("An incident cannot be in the future."))
        if when and too_early(when):
            raise forms.ValidationError(too_early_message())
        return when

    def clean_description(self):
        text = self.cleaned_data.get("description", "").strip()
        if not text:
            raise forms.ValidationError(_("Say what happened."))
        return text

    def clean(self):
        cleaned = super().clean()
        estate, building = cleaned.get("estate"), cleaned.get("building")
        if estate and building and building.estate_id != estate.pk:
            self.add_error(
                "building",
                _("%(building)s is not in %(estate)s.")
                % {"building": building, "estate": estate.name},
            )
        appeal = cleaned.get("appeal_code")
        if estate and appeal and appeal.estate_id != estate.pk:
            self.add_error(
                "appeal_code",
                _("Appeal %(code)s is of %(estate)s, not of the chosen estate.")
                % {"code": format_code(appeal.code), "estate": appeal.estate.name},
            )
        return cleaned

    def service_arguments(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}
        data["appeal"] = self.cleaned_data.get("appeal_code")
        return data


class VerifyForm(forms.Form):
    """Nothing to type: the button (with a confirmation) is the form."""

    def __init__(self, *args, incident=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.incident, self.user = incident, user


class DismissForm(VerifyForm):
    reason = forms.CharField(
        label=_("Reason for dismissal"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: a false report, a duplicate, outside the estate."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the incident is dismissed."))
        return reason


MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d", "%Y/%m", "%Y.%m"]


class MonthField(forms.DateField):
    """A year and a month (the browser's month picker, or typed as 2025-01)."""

    widget = forms.DateInput(attrs={"type": "month", "placeholder": "2025-01"}, format="%Y-%m")
    input_formats = MONTH_FORMATS
    default_error_messages = {
        "invalid": _("Enter a year and a month, such as 2025-01."),
    }

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class RecordsStartForm(RefusalAware, forms.ModelForm):
    month = MonthField(
        label=_("records start"),
        help_text=_(
            "The first month whose incidents are all recorded; earlier months show as unknown."
        ),
    )

    class Meta:
        model = RecordsStart
        fields = ["estate", "month"]

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > timezone.localdate():
            raise forms.ValidationError(
                _("Records cannot start in a future month (%(month)s).")
                % {"month": month.strftime("%Y-%m")}
            )
        if month.year < EARLIEST_YEAR:
            raise forms.ValidationError(start_too_early_message())
        return month
