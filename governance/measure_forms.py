"""The forms of a rectification measure's moves and of a new measure on its report's page,
named for the services' keyword arguments (governance.measures). The moves' forms are the
survey tasks' (zeroindex.survey_forms): both are tracked work."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zeroindex.survey_forms import (
    DateInput,
    NoteForm,
    NothingForm,
    OwnerChoiceField,
    ReassignForm,
    SetDueForm,
    TaskActionForm,
)

from .models import RectificationMeasure

__all__ = ["NoteForm", "NothingForm", "ReassignForm", "SetDueForm"]


class MeasureDropForm(TaskActionForm):
    reason = forms.CharField(
        label=_("Why is it dropped?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the measure is dropped.")},
    )


class MeasureTextForm(TaskActionForm):
    text = forms.CharField(
        label=_("rectification measure"),
        max_length=RectificationMeasure._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, task=task, **kwargs)
        self.fields["text"].initial = task.text


class NewMeasureForm(forms.ModelForm):
    """A new measure on its report's page (the inline's row); saved by measure_add."""

    class Meta:
        model = RectificationMeasure
        fields = ["text", "owner", "due_on"]
        field_classes = {"owner": OwnerChoiceField}
        widgets = {"due_on": DateInput, "text": forms.Textarea(attrs={"rows": 2})}

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due_on
