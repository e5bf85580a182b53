"""The five-standards checklist's staff forms: they only clean input; the services in
branches.checklists decide. The per-item forms have one set of fields per entry of the
checklist: the page decides how many, never the request."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .checklists import evidence_file_check
from .models import Checklist, ChecklistEntry
from .scoped_admin import ConstraintCheckingForm


class ChecklistOpenForm(ConstraintCheckingForm):
    """Open a branch's checklist for a year (checklist_open); the model's unique constraint
    says "already has one" next to the fields."""

    refused = None  # a refusal of the service, shown on the form (set per request)

    class Meta:
        model = Checklist
        fields = ["estate", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"] = forms.IntegerField(
            label=Checklist._meta.get_field("year").verbose_name,
            min_value=2000,
            max_value=this_year + 1,
        )
        if not self.is_bound and not self.initial.get("year"):
            self.initial["year"] = this_year

    def clean(self):
        cleaned = super().clean()
        if self.refused is not None:
            raise forms.ValidationError(self.refused.message)
        return cleaned


def _key(entry: ChecklistEntry, name: str) -> str:
    return f"e{entry.pk}-{name}"


class EntriesForm(forms.Form):
    """Fields per entry, named `e<id>-<field>`; `rows()` pairs each entry with its fields."""

    def __init__(self, data=None, files=None, *, entries: list[ChecklistEntry]):
        super().__init__(data, files)
        self.entries = entries
        for entry in entries:
            self.add_entry_fields(entry)

    def add_entry_fields(self, entry):
        raise NotImplementedError

    def score_field(self, entry, label):
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=0,
            max_value=entry.item.max_score,
            widget=forms.NumberInput(attrs={"class": "checklist-score"}),
        )

    def value(self, entry, name):
        return self.cleaned_data.get(_key(entry, name))

    def fields_of(self, entry) -> dict:
        prefix = _key(entry, "")
        return {name[len(prefix) :]: self[name] for name in self.fields if name.startswith(prefix)}

    def changed(self, entry) -> bool:
        prefix = _key(entry, "")
        return any(name.startswith(prefix) for name in self.changed_data)


class AssessForm(EntriesForm):
    """The branch's evidence and score per item (checklist_entry_assess)."""

    def add_entry_fields(self, entry):
        self.fields[_key(entry, "self_score")] = self.score_field(
            entry, _("self-assessment (0–%(max)d)") % {"max": entry.item.max_score}
        )
        self.initial[_key(entry, "self_score")] = entry.self_score
        self.fields[_key(entry, "evidence")] = forms.CharField(
            label=_("evidence"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 2, "class": "checklist-evidence"}),
        )
        self.initial[_key(entry, "evidence")] = entry.evidence
        self.fields[_key(entry, "evidence_file")] = forms.FileField(
            label=_("evidence file or photo"),
            required=False,
            validators=[evidence_file_check],
            help_text=_("PDF, JPEG, PNG or an Office document, up to 10 MB."),
        )
        if entry.evidence_file:
            self.fields[_key(entry, "clear_file")] = forms.BooleanField(
                label=_("remove the file"), required=False
            )


class ReviewForm(EntriesForm):
    """The community's score per item (checklist_entry_review)."""

    def add_entry_fields(self, entry):
        self.fields[_key(entry, "review_score")] = self.score_field(
            entry, _("review score (0–%(max)d)") % {"max": entry.item.max_score}
        )
        self.initial[_key(entry, "review_score")] = entry.review_score
