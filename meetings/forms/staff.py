"""The staff pages' forms: an appeal entered by a clerk, the actions on an appeal's page and
a meeting's outcomes (one form per action, see meetings.admin.actions), the forum's lines and
the meeting itself. Each action form takes the appeal and the user, so it can offer only what
the user may choose."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branches.formsets import BoundedFormSet
from branches.phones import MobileField
from branches.scope import staff_users_for

from ..models import Appeal, AppealCategory, Channel, Meeting, Satisfaction, Source
from ..queries import active_departments, meetings_for_agenda


class StaffAppealForm(forms.ModelForm):
    """What a clerk enters for an appeal heard by phone, at a home visit, …"""

    class Meta:
        model = Appeal
        fields = [
            "estate",
            "building",
            "category",
            "title",
            "description",
            "source",
            "contact_name",
            "contact_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:  # entering a new appeal (the appeal page is read-only)
            # Residents' own (the public form) and other systems' (the API) are not typed in.
            self.fields["source"].choices = [
                (value, label)
                for value, label in Source.choices
                if value not in (Source.WEB_FORM, Source.API)
            ]
            self.fields["source"].initial = Source.PHONE


# --- The actions on an appeal (and a meeting's outcomes) -----------------------------------


class ActionForm(forms.Form):
    """Knows the appeal it acts on and who acts, to narrow its choices to them."""

    def __init__(self, *args, appeal=None, user=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.appeal, self.user = appeal, user
        if departments is not None and "department" in self.fields:
            # a page with many such forms reads the departments once
            self.fields["department"].widget.choices = [("", "---------"), *departments]


class NoteForm(ActionForm):
    public_note = forms.CharField(
        label=_("Note for the resident"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportFixForm(NoteForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["public_note"].required = True
        self.fields["public_note"].label = _("What was done (the resident reads it)")


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason (the resident reads it)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DepartmentForm(NoteForm):
    field_order = ["department", "public_note", "internal_note"]
    department = forms.ModelChoiceField(label=_("Department"), queryset=active_departments())


class DuplicateForm(ActionForm):
    original = forms.CharField(label=_("Tracking code of the original appeal"), max_length=20)


class ReassignForm(ActionForm):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None)
    note = forms.CharField(label=_("Internal note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = staff_users_for(self.user)
        if self.appeal is not None:
            self.initial.setdefault("handler", self.appeal.handler_id)


class ExtendForm(ActionForm):
    until = forms.DateField(label=_("New due date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AgendaForm(ActionForm):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings_for_agenda(appeal=self.appeal, user=self.user)


class StaffReturnVisitForm(ActionForm):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c, label) for c, label in Channel.choices if c != Channel.RESIDENT_ONLINE],
    )
    reached = forms.TypedChoiceField(
        label=_("Reached the resident?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    solved = forms.TypedChoiceField(
        label=_("Solved?"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"), choices=[("", "—"), *Satisfaction.choices], required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reached"):
            if cleaned.get("solved") is None:
                self.add_error("solved", _("Say whether it is solved."))
            if not cleaned.get("satisfaction"):
                self.add_error("satisfaction", _("Say how satisfied the resident is."))
        return cleaned


def _count(label):
    return forms.IntegerField(label=label, min_value=0, max_value=100_000)


class HearingVoteForm(ActionForm):
    eligible = _count(_("eligible"))
    present = _count(_("present"))
    votes_for = _count(_("for"))
    votes_against = _count(_("against"))
    abstain = _count(_("abstain"))
    public_note = forms.CharField(label=_("Note for the resident"), required=False, max_length=1000)


# --- Meetings ---------------------------------------------------------------------------


class ForumRowForm(forms.Form):
    """One appeal heard at a forum, one line on the page."""

    title = forms.CharField(label=_("Problem"), max_length=100, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=AppealCategory.objects.filter(active=True),
        required=False,
    )
    building = forms.ModelChoiceField(label=_("Building"), queryset=None, required=False)
    contact_name = forms.CharField(label=_("Resident"), max_length=50, required=False)
    contact_phone = MobileField(label=_("Mobile phone"), required=False)

    def clean(self):
        cleaned = super().clean()
        if self.has_changed():
            if not cleaned.get("title"):
                self.add_error("title", _("Say what the problem is."))
            if not cleaned.get("category"):
                self.add_error("category", _("Choose a category."))
        return cleaned


# The lines the page offers; the request never decides how many forms are built (Django
# would build up to max_num + 1,000 of them from a posted TOTAL_FORMS).
FORUM_ROWS = 6
ForumRows = forms.formset_factory(
    ForumRowForm,
    formset=BoundedFormSet,
    extra=FORUM_ROWS,
    max_num=FORUM_ROWS,
    absolute_max=FORUM_ROWS,
)


class MeetingForm(forms.ModelForm):
    def clean_held_at(self):
        held_at = self.cleaned_data["held_at"]
        now = timezone.now()
        if not (now - timedelta(days=365 * 10) <= held_at <= now + timedelta(days=365)):
            raise forms.ValidationError(
                _("Enter the date the meeting was or will be held (within a year from now).")
            )
        return held_at

    class Meta:
        model = Meeting
        fields = [
            "type",
            "community",
            "estate",
            "held_at",
            "place",
            "chair",
            "attendees",
            "resident_representatives",
            "head_count",
            "minutes",
        ]


# --- Department review scores ---------------------------------------------------------


def _score_field(label):
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100,
        required=False,
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": 0, "max": 100, "class": "score-input"}
        ),
    )


class ReviewRowForm(forms.Form):
    """One reviewer's line of a department's score sheet: all three scores, or none (an empty
    line is skipped), and an optional comment."""

    reviewer = forms.CharField(widget=forms.HiddenInput, max_length=60)
    attitude = _score_field(_("service attitude"))
    efficiency = _score_field(_("efficiency"))
    results = _score_field(_("results"))
    comment = forms.CharField(
        label=_("comment"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"class": "score-comment"}),
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return all(data.get(f) in (None, "") for f in ("attitude", "efficiency", "results")) and (
            not data.get("comment")
        )

    def clean(self):
        cleaned = super().clean()
        filled = [f for f in ("attitude", "efficiency", "results") if cleaned.get(f) is not None]
        missing = [f for f in ("attitude", "efficiency", "results") if f not in filled]
        if missing and (filled or cleaned.get("comment")) and not self.errors:
            raise forms.ValidationError(
                _("Fill in all three scores, or leave the whole line empty.")
            )
        return cleaned


def review_rows(reviewers: int):
    """The sheet's formset: one line per reviewer, as many as the page offers and no more."""
    return forms.formset_factory(
        ReviewRowForm,
        formset=BoundedFormSet,
        extra=0,
        max_num=reviewers,
        absolute_max=reviewers,
        validate_max=True,
    )
