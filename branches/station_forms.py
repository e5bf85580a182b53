"""The service station's staff forms: a session (the admin's add and change pages) and the
week grid a clerk types a week of sessions into. They only clean input; the rules are
branches.stations' (`session_problems`), shown beside the fields."""

import re
from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .formsets import BoundedFormSet
from .models import Member, ServiceSession, ServiceStation, Volunteer
from .scoped_admin import ConstraintCheckingForm, ModelMultipleIdsField
from .stations import session_problems

WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")


def parse_week(value: str | None) -> date | None:
    """The Monday of an ISO week written as the browser's week input does ("2026-W49");
    None for anything else."""
    found = WEEK.fullmatch((value or "").strip())
    if not found:
        return None
    year = int(found[1])
    if not 1900 <= year <= 2999:  # the page links the weeks around it: keep them in range
        return None
    try:
        return date.fromisocalendar(year, int(found[2]), 1)
    except ValueError:
        return None


def week_param(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


class SessionForm(ConstraintCheckingForm):
    """The admin's session page: members and volunteers of the station's estate only."""

    class Meta:
        model = ServiceSession
        fields = [
            "station",
            "facility",
            "kind",
            "starts_at",
            "minutes",
            "people_served",
            "members",
            "volunteers",
            "note",
        ]

    def clean(self):
        cleaned = super().clean()
        station = cleaned.get("station") or getattr(self.instance, "station", None)
        if station is not None:
            problems = session_problems(
                station=station,
                facility=cleaned.get("facility"),
                starts_at=cleaned.get("starts_at"),
                members=cleaned.get("members") or (),
                volunteers=cleaned.get("volunteers") or (),
            )
            for field, message in problems.items():
                if field in self.fields:
                    self.add_error(field, message)
        return cleaned


class WeekRowForm(forms.Form):
    """One session of the week, one line of the grid. A line left as given is skipped."""

    facility = forms.ModelChoiceField(label=_("Facility"), queryset=None, required=False)
    day = forms.TypedChoiceField(label=_("Day"), choices=(), required=False, coerce=str)
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    kind = forms.ModelChoiceField(label=_("Service"), queryset=None, required=False)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60, initial=120)
    people_served = forms.IntegerField(
        label=_("Residents served"), min_value=0, max_value=100000, required=False
    )
    members = ModelMultipleIdsField(
        label=_("Members who served"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    volunteers = ModelMultipleIdsField(
        label=_("Volunteers who served"),
        queryset=Volunteer.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )

    def __init__(self, *args, station: ServiceStation, monday: date, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.station = station
        # the options are read once for the whole grid (WeekChoices), not once per line;
        # the queryset checks what is sent back
        for name, (queryset, options) in choices.items():
            self.fields[name].queryset = queryset
            blank = [] if name in ("members", "volunteers") else [("", "—")]
            self.fields[name].choices = blank + options
        days = [monday + timedelta(days=n) for n in range(7)]
        self.fields["day"].choices = [("", "—")] + [
            (d.isoformat(), date_format(d, "D n/j")) for d in days
        ]
        self.fields["minutes"].required = False

    def clean(self):
        cleaned = super().clean()
        if not self.has_changed():
            return cleaned
        for field, message in (
            ("facility", _("Choose the facility.")),
            ("day", _("Choose the day.")),
            ("time", _("Enter the time it started.")),
            ("kind", _("Choose the service.")),
            ("people_served", _("Enter how many residents were served (0 if none).")),
        ):
            if cleaned.get(field) in (None, "") and field not in self.errors:
                self.add_error(field, message)
        if cleaned.get("minutes") is None and "minutes" not in self.errors:
            cleaned["minutes"] = 120
        if cleaned.get("day") and cleaned.get("time"):
            cleaned["starts_at"] = timezone.make_aware(
                datetime.combine(date.fromisoformat(cleaned["day"]), cleaned["time"])
            )
            for field, message in session_problems(
                station=self.station,
                facility=cleaned.get("facility"),
                starts_at=cleaned["starts_at"],
                members=cleaned.get("members") or (),
                volunteers=cleaned.get("volunteers") or (),
            ).items():
                self.add_error("day" if field == "starts_at" else field, message)
        return cleaned


def week_choices(*, station: ServiceStation, kinds) -> dict:
    """What the grid's lines choose from, each read once: the station's facilities, the
    kinds of service, and the estate's active members and volunteers."""
    found = {
        "facility": station.facilities.all(),
        "kind": kinds,
        "members": Member.objects.filter(estate=station.estate_id, active=True),
        "volunteers": Volunteer.objects.filter(estate=station.estate_id, active=True),
    }
    return {name: (qs, [(obj.pk, str(obj)) for obj in qs]) for name, qs in found.items()}


# The lines the week page offers; the request never decides how many forms are built.
WEEK_ROWS = 12
WeekRows = forms.formset_factory(
    WeekRowForm,
    formset=BoundedFormSet,
    extra=WEEK_ROWS,
    max_num=WEEK_ROWS,
    absolute_max=WEEK_ROWS,
)
