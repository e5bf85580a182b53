"""The residents' forms: file an appeal, look it up, answer the return visit."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from branches.models import Building, Estate
from branches.names import localized
from branches.phones import MobileField

from ..models import AppealCategory, Satisfaction
from ..photos import clean_photo
from ..queries import public_form_choices


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to APPEAL_PHOTOS_MAX photos, each decoded and stripped of metadata in clean()."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "multiple": True})

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > settings.APPEAL_PHOTOS_MAX:
            raise ValidationError(
                _("At most %(max)d photos.") % {"max": settings.APPEAL_PHOTOS_MAX}
            )
        errors, photos = [], []
        for upload in files:
            try:
                photos.append(clean_photo(upload))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return photos


class PositionsField(forms.Field):
    """The positions ticked (1 = the first) among `count` items; anything else is ignored
    (a page from an older try names positions that may be gone)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, count: int, **kwargs):
        super().__init__(required=False, **kwargs)
        self.count = count

    def clean(self, value):
        values = value if isinstance(value, list | tuple) else []
        return sorted(
            {
                int(v)
                for v in values
                if isinstance(v, str) and re.fullmatch(r"[0-9]{1,3}", v)
                if 1 <= int(v) <= self.count
            }
        )


class AppealForm(forms.Form):
    # The page lists the choices from queries.public_form_choices (select_options below);
    # these querysets check what is sent.
    estate = forms.ModelChoiceField(
        label=_("Estate"), queryset=Estate.objects.all(), empty_label=_("Choose your estate")
    )
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.all(),
        required=False,
        empty_label=_("Not about one building"),
    )
    category = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=AppealCategory.objects.filter(active=True),
        empty_label=_("Choose a category"),
    )
    title = forms.CharField(
        label=_("In one line"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("For example: the stairway light is out")}),
    )
    description = forms.CharField(
        label=_("What happened, and where?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 3 photos, 5 MB each."),
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=50)
    contact_phone = MobileField(
        label=_("Mobile phone"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree"),
        required=True,
        error_messages={
            "required": _(
                "Please tick “I agree”: we need your name and phone to handle this appeal, and "
                "without your consent we cannot accept it online. You can also call your "
                "community instead."
            )
        },
    )
    # Left empty by people; filled by bots that fill in every field.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, kept: int = 0, **kwargs):
        """`kept`: how many photos this browser has kept from an earlier try; each can be
        removed by ticking its position (1 = the first)."""
        super().__init__(*args, **kwargs)
        self.kept = kept
        self.fields["remove_kept"] = PositionsField(count=kept)
        self.chosen_photos = []
        self.fields["consent"].help_text = _(
            "Your name and phone are used only to handle this appeal: to call you back, and to "
            "ask after it is fixed whether you are satisfied. Only community staff see them. "
            "They are erased %(months)d months after the appeal is closed."
        ) % {"months": settings.APPEAL_CONTACT_RETENTION_MONTHS}

    def select_options(self) -> dict:
        """The estate, building and category options of the page, each (value, label,
        selected), a building's also with its estate's id (so the page offers only the
        chosen estate's buildings: static/js/appeal_form.js), from the process's copy of the
        choices: no query per page."""
        choices = public_form_choices()
        chosen = {n: str(self[n].value() or "") for n in ("estate", "building", "category")}
        return {
            "estate": [(pk, label, pk == chosen["estate"]) for pk, label in choices.estates],
            "building": [
                (pk, name, pk == chosen["building"], estate)
                for pk, estate, name in choices.buildings
            ],
            "category": [
                (pk, localized(name, name_en), pk == chosen["category"])
                for pk, name, name_en in choices.categories
            ],
        }

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("Please leave this field empty."))
        return ""

    def clean_photos(self):
        # Kept aside: valid photos are kept for a retry even when the form has errors.
        self.chosen_photos = self.cleaned_data["photos"]
        return self.chosen_photos

    def clean(self):
        cleaned = super().clean()
        estate, building = cleaned.get("estate"), cleaned.get("building")
        if estate and building and building.estate_id != estate.pk:
            self.add_error("building", _("This building is not in the estate you chose."))
        kept = self.kept - len(cleaned.get("remove_kept") or [])
        if "photos" in cleaned and kept + len(cleaned["photos"]) > settings.APPEAL_PHOTOS_MAX:
            self.add_error(
                "photos",
                _(
                    "At most %(max)d photos in all. Tick “Remove” under the kept photos you "
                    "do not need, then send again."
                )
                % {"max": settings.APPEAL_PHOTOS_MAX},
            )
        return cleaned


class TrackLookupForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "placeholder": "K7QF-93MX",
                "autocapitalize": "characters",
                "autocomplete": "off",
            }
        ),
    )


class ResidentAnswerForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=_("Is the problem solved?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with how it was handled?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
