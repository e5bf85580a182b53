"""The forms of the survey pages: a round, its suggestions pasted or from a file, turning them
into tasks, and the moves on a task (each form named for its service's keyword arguments).
They only clean input; the services decide."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from branches.scoped_admin import ConstraintCheckingForm
from meetings.models import AppealCategory

from .models import Suggestion
from .queries import task_owners_for
from .suggestion_import import MAX_FILE_BYTES, MAX_ROWS, MAX_TEXT_CHARS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class SuggestionsPasteForm(forms.Form):
    """Pasted lines or a file; the preview shows what each becomes."""

    text = forms.CharField(
        label=_("Suggestions, one per line"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "suggestion-paste"}),
    )
    file = forms.FileField(
        label=_("… or a CSV or XLSX file"),
        required=False,
        help_text=_("At most %(rows)d rows and %(kb)d KB.")
        % {"rows": MAX_ROWS, "kb": MAX_FILE_BYTES // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if "\x00" in text:
            raise forms.ValidationError(_("The text holds a character that cannot be saved."))
        return text

    def clean(self):
        data = super().clean()
        has_text = bool((data.get("text") or "").strip())
        has_file = bool(data.get("file"))
        if has_text and has_file:
            raise forms.ValidationError(
                _("Paste the suggestions or choose a file, not both: empty the box for the file.")
            )
        if not has_text and not has_file and not self.errors:
            raise forms.ValidationError(_("Paste some suggestions or choose a file."))
        return data


class SuggestionEditForm(ConstraintCheckingForm):
    """A suggestion's page: its building must be in its survey's estate (as on import)."""

    def clean(self):
        cleaned = super().clean()
        building = cleaned.get("building")
        if building is not None and building.estate_id != self.instance.round.estate_id:
            self.add_error("building", _("This building is not in the survey's estate."))
        return cleaned


class SuggestionsConfirmForm(forms.Form):
    """The previewed lines, sent back to be parsed again and saved."""

    # A browser sends its line breaks back as CRLF: one more character a line.
    confirmed_text = forms.CharField(
        max_length=MAX_TEXT_CHARS + MAX_ROWS + 1, strip=False, widget=forms.HiddenInput
    )


ID = re.compile(r"[0-9]{1,18}")
MAX_TASKS_AT_ONCE = 10_000


class MakeTasksForm(forms.Form):
    """Suggestions of one round without a task → tasks with one owner and due date."""

    suggestions = forms.ModelMultipleChoiceField(
        label=_("Suggestions"),
        queryset=Suggestion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the suggestions to make into tasks.")},
    )
    owner = OwnerChoiceField(label=_("Owner"), queryset=None)
    due_on = forms.DateField(label=_("Due"), widget=DateInput)

    def __init__(self, *args, round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggestions"].queryset = round.suggestions.filter(task__isnull=True)
        # The page's script sends the ticked ones as one field, "suggestions_list" (1,2,3):
        # a thousand ticked boxes would be more fields than Django reads.
        listed = self.data.get("suggestions_list", "") if self.is_bound else ""
        if listed:
            ids = list(dict.fromkeys([*self.data.getlist("suggestions"), *ID.findall(listed)]))
            too_many = len(ids) > MAX_TASKS_AT_ONCE  # a forged list: no round is that long
            data = self.data.copy()
            data.setlist("suggestions", [] if too_many else ids)
            self.data = data
            if too_many:
                field = self.fields["suggestions"]
                field.error_messages = {
                    **field.error_messages,
                    "required": _("At most %(max)d suggestions can be made into tasks at once.")
                    % {"max": MAX_TASKS_AT_ONCE},
                }
        self.fields["owner"].queryset = task_owners_for(estate=round.estate)


# --- the moves on a task -------------------------------------------------------------------


class TaskActionForm(forms.Form):
    def __init__(self, *args, task, **kwargs):
        self.task = task
        super().__init__(*args, **kwargs)


class NoteForm(TaskActionForm):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NothingForm(TaskActionForm):
    pass


class DropForm(TaskActionForm):
    reason = forms.CharField(
        label=_("Why is it dropped?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the task is dropped.")},
    )


class ReassignForm(TaskActionForm):
    owner = OwnerChoiceField(label=_("New owner"), queryset=None)

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, task=task, **kwargs)
        self.fields["owner"].queryset = task_owners_for(estate=task.estate).exclude(
            pk=task.owner_id
        )


class SetDueForm(TaskActionForm):
    due_on = forms.DateField(label=_("New due date"), widget=DateInput)


class ToAppealForm(TaskActionForm):
    category = forms.ModelChoiceField(
        label=_("Category of the appeal"),
        queryset=AppealCategory.objects.filter(active=True),
        required=False,
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, task=task, **kwargs)
        suggestion_category = task.suggestion.category
        if suggestion_category is None:
            self.fields["category"].required = True
            self.fields["category"].help_text = _(
                "The suggestion has no category; an appeal needs one."
            )
        else:
            self.fields["category"].initial = suggestion_category.pk
