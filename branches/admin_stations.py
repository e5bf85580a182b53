"""The service stations' staff pages: each station with its facilities, the kinds of service,
volunteers, sessions (the list, a session's page, and the week grid a clerk types a week of
sessions into), and a station's volunteer hours for a year. Writes of sessions go through
branches.stations; everything is read through the scope gate."""

import re
from datetime import datetime, time, timedelta

from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Facility, ServiceKind, ServiceSession, ServiceStation, Volunteer
from .queries import volunteer_hours
from .scope import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    estates_for,
    facilities_for,
    may,
    service_kinds_for,
    sessions_for,
    stations_for,
    volunteers_for,
)
from .scoped_admin import BoundedInline, ScopedModelAdmin
from .station_forms import SessionForm, WeekRows, parse_week, week_choices, week_param
from .stations import session_change, session_delete, session_record, station_open

# An id or a year as typed in a URL: ASCII digits, no more than a database integer holds
# (Python's isdigit() takes "²" and "١", and SQLite cannot look up 2**63).
ID = re.compile(r"[0-9]{1,12}")
YEAR = re.compile(r"[0-9]{4}")


def week_url(station_id: int, monday=None) -> str:
    url = reverse("admin:branches_servicesession_week") + f"?station={station_id}"
    return url + (f"&week={week_param(monday)}" if monday else "")


def hours_url(station_id: int, year: int | None = None) -> str:
    url = reverse("admin:branches_servicestation_hours", args=[station_id])
    return url + (f"?year={year}" if year else "")


class FacilityInline(BoundedInline, admin.TabularInline):
    """The station's facilities: names, open or closed, order. One with sessions cannot be
    deleted (Django's inline says so: the sessions protect it); close it instead."""

    model = Facility
    fields = ["position", "name", "name_en", "is_open"]
    extra = 0
    max_new = 3

    def has_view_permission(self, request, obj=None):
        return may(request.user, VIEW, Facility)

    def has_add_permission(self, request, obj=None):
        return may(request.user, ADD, Facility)

    def has_change_permission(self, request, obj=None):
        return may(request.user, CHANGE, Facility)

    def has_delete_permission(self, request, obj=None):
        return may(request.user, DELETE, Facility)

    def get_queryset(self, request):
        return facilities_for(request.user)


@admin.register(ServiceStation)
class ServiceStationAdmin(ScopedModelAdmin):
    gate = stations_for
    change_form_template = "admin/branches/servicestation/change_form.html"
    list_display = ["estate", "location", "opening_hours", "open_facilities", "links"]
    list_select_related = ["estate"]
    list_filter = ["estate__community"]
    fields = ["estate", "location", "opening_hours", "note"]
    inlines = [FacilityInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_open=Count("facilities", filter=Q(facilities__is_open=True)),
                n_facilities=Count("facilities"),
            )
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Only where an estate in the user's scope has no station yet (a secretary whose
        station is open adds none). Asked here, not in has_add_permission, which every
        admin page asks for its menu."""
        if (
            self.has_add_permission(request)
            and not estates_for(request.user).filter(station__isnull=True).exists()
        ):
            raise PermissionDenied
        return super().add_view(request, form_url, extra_context)

    def get_inlines(self, request, obj):
        # a new station starts with the case's facilities (station_open), then edits them
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        return ["estate"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "estate":
            kwargs["queryset"] = estates_for(request.user).filter(station__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("facilities open"))
    def open_facilities(self, station):
        return f"{station.n_open} / {station.n_facilities}"

    def get_list_display(self, request):
        # the week grid is for those who record sessions; everyone may read the hours
        if may(request.user, ADD, ServiceSession):
            return self.list_display
        return [*self.list_display[:-1], "hours_link"]

    @admin.display(description=gettext_lazy("pages"))
    def hours_link(self, station):
        return format_html('<a href="{}">{}</a>', hours_url(station.pk), _("Volunteer hours"))

    @admin.display(description=gettext_lazy("pages"))
    def links(self, station):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            week_url(station.pk),
            _("Enter a week of sessions"),
            hours_url(station.pk),
            _("Volunteer hours"),
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        opened = station_open(
            estate=form.cleaned_data["estate"],
            location=form.cleaned_data["location"],
            opening_hours=form.cleaned_data["opening_hours"],
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk = opened.pk  # the page goes on to this station's page

    def response_post_save_add(self, request, obj):
        """A new station: on to its page, where its facilities are (the case's eight)."""
        return redirect(reverse("admin:branches_servicestation_change", args=[obj.pk]))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/hours/",
                self.admin_site.admin_view(self.hours_view),
                name="branches_servicestation_hours",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id and ID.fullmatch(object_id):
            links = {
                "hours": hours_url(int(object_id)),
                "sessions": reverse("admin:branches_servicesession_changelist")
                + f"?station__id__exact={object_id}",
            }
            if may(request.user, ADD, ServiceSession):
                links["week"] = week_url(int(object_id))
                links["add_session"] = (
                    reverse("admin:branches_servicesession_add") + f"?station={object_id}"
                )
            extra_context["station_links"] = links
        return super().change_view(request, object_id, form_url, extra_context)

    def hours_view(self, request, object_id):
        """Who served at the station in a year (?year=), with their sessions and hours."""
        station = self.get_object(request, object_id)
        if station is None or not self.has_view_permission(request):
            raise Http404
        this_year = timezone.localdate().year
        asked = request.GET.get("year", "")
        year = this_year
        if YEAR.fullmatch(asked) and 2000 <= int(asked) <= this_year + 1:
            year = int(asked)
        if asked and str(year) != asked:
            messages.warning(request, _("No such year: showing this year."))
        rows = volunteer_hours(station=station, year=year)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "station": station,
            "year": year,
            "rows": rows,
            "total_hours": round(sum(r.minutes for r in rows) / 60, 1),
            "previous": hours_url(station.pk, year - 1),
            "next": hours_url(station.pk, year + 1) if year < this_year else "",
            "title": _("Volunteer hours: %(station)s, %(year)s")
            % {"station": station, "year": year},
        }
        return TemplateResponse(request, "admin/branches/servicestation/hours.html", context)


@admin.register(ServiceKind)
class ServiceKindAdmin(ScopedModelAdmin):
    gate = service_kinds_for
    list_display = ["name", "name_en", "position"]
    fields = ["name", "name_en", "position"]


@admin.register(Volunteer)
class VolunteerAdmin(ScopedModelAdmin):
    gate = volunteers_for
    list_display = ["name", "kind", "organisation", "estate", "active"]
    list_filter = ["kind", "active", "estate"]
    list_select_related = ["estate"]
    search_fields = ["name", "organisation"]
    fields = ["estate", "name", "kind", "organisation", "active"]


class SessionDateFilter(admin.SimpleListFilter):
    """?held=week / month / year / last_year, in local time."""

    title = gettext_lazy("held")
    parameter_name = "held"

    def lookups(self, request, model_admin):
        return [
            ("week", _("this week")),
            ("month", _("this month")),
            ("year", _("this year")),
            ("last_year", _("last year")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "week":
            start, end = today - timedelta(days=today.weekday()), None
        elif self.value() == "month":
            start, end = today.replace(day=1), None
        elif self.value() == "year":
            start, end = today.replace(month=1, day=1), None
        elif self.value() == "last_year":
            start, end = (
                today.replace(year=today.year - 1, month=1, day=1),
                today.replace(month=1, day=1),
            )
        else:
            return queryset
        queryset = queryset.filter(starts_at__date__gte=start)
        return queryset.filter(starts_at__date__lt=end) if end else queryset


@admin.register(ServiceSession)
class ServiceSessionAdmin(ScopedModelAdmin):
    gate = sessions_for
    form = SessionForm
    change_list_template = "admin/branches/servicesession/change_list.html"
    list_display = [
        "held_local",
        "station",
        "facility",
        "kind",
        "people_served",
        "minutes",
        "n_members",
        "n_volunteers",
    ]
    list_filter = [SessionDateFilter, "station", "kind"]
    list_select_related = ["station__estate", "facility", "kind"]
    list_per_page = 50
    show_full_result_count = False
    autocomplete_fields = ["members", "volunteers"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_members=Count("members", distinct=True),
                n_volunteers=Count("volunteers", distinct=True),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        return ["station"] if obj is not None else []

    @admin.display(description=gettext_lazy("held"), ordering="starts_at")
    def held_local(self, session):
        return timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=gettext_lazy("members"))
    def n_members(self, session):
        return session.n_members

    @admin.display(description=gettext_lazy("volunteers"))
    def n_volunteers(self, session):
        return session.n_volunteers

    def get_autocomplete_fields(self, request):
        # a page whose station is known offers that estate's people in a list to pick from
        return [] if self._station_of_page(request) is not None else self.autocomplete_fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        station = self._station_of_page(request)
        if station is not None and db_field.name in ("members", "volunteers"):
            kwargs["queryset"] = db_field.related_model.objects.filter(estate=station.estate_id)
            kwargs["widget"] = FilteredSelectMultiple(db_field.verbose_name, is_stacked=False)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "facility":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        station = self._station_of_page(request)
        if station is not None:
            kwargs["queryset"] = station.facilities.all()
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        # any station of the user's: each facility named with its estate
        kwargs["queryset"] = (
            facilities_for(request.user)
            .select_related("station__estate")
            .order_by("station__estate__name", "position", "name")
        )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        field.label_from_instance = lambda f: f"{f.station.estate.name} · {f}"
        return field

    def _station_of_page(self, request):
        """The station of the session the page shows (members and facilities of its estate
        only), or of ?station= on the add page; read once per request."""
        if not hasattr(request, "_session_station"):
            request._session_station = self._find_station_of_page(request)
        return request._session_station

    def _find_station_of_page(self, request):
        match = getattr(request, "resolver_match", None)
        object_id = match.kwargs.get("object_id") if match else None
        if object_id and ID.fullmatch(str(object_id)):
            session = sessions_for(request.user).filter(pk=object_id).first()
            return session.station if session else None
        wanted = request.GET.get("station", "")
        if ID.fullmatch(wanted):
            return stations_for(request.user).filter(pk=wanted).first()
        return None

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("station", None)
        station = self._station_of_page(request)
        if station is not None:
            initial["station"] = station.pk
        initial.setdefault("starts_at", timezone.localtime().replace(second=0, microsecond=0))
        return initial

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        values = {
            "facility": data["facility"],
            "kind": data["kind"],
            "starts_at": data["starts_at"],
            "people_served": data["people_served"],
            "minutes": data["minutes"],
            "members": data.get("members") or [],
            "volunteers": data.get("volunteers") or [],
            "note": data.get("note", ""),
            "by": request.user,
        }
        if change:
            saved = session_change(session=obj, **values)
        else:
            saved = session_record(station=data["station"], **values)
        obj.pk = saved.pk
        form.instance = saved

    def save_related(self, request, form, formsets, change):
        """The members and volunteers were set by the service (with the ledger's credits)."""

    def delete_model(self, request, obj):
        session_delete(session=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for session in queryset:
            session_delete(session=session, by=request.user)

    def get_urls(self):
        return [
            path(
                "week/",
                self.admin_site.admin_view(self.week_view),
                name="branches_servicesession_week",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        station = request.GET.get("station__id__exact", "")
        extra_context["week_url"] = (
            week_url(int(station))
            if ID.fullmatch(station)
            else reverse("admin:branches_servicesession_week")
        )
        extra_context["may_add"] = self.has_add_permission(request)
        extra_context["add_url"] = reverse("admin:branches_servicesession_add") + (
            f"?station={station}" if ID.fullmatch(station) else ""
        )
        return super().changelist_view(request, extra_context)

    # --- a week of sessions, typed in one grid --------------------------------------------

    def week_view(self, request):
        if not may(request.user, ADD, ServiceSession):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        wanted = request.GET.get("station", "")
        if not wanted:
            stations = list(stations_for(request.user).select_related("estate"))
            if len(stations) != 1:
                context.update(
                    title=_("Enter a week of sessions: choose a station"),
                    stations=[(s, week_url(s.pk)) for s in stations],
                )
                return TemplateResponse(
                    request, "admin/branches/servicesession/week_choose.html", context
                )
            station = stations[0]
        elif ID.fullmatch(wanted):
            station = stations_for(request.user).select_related("estate").filter(pk=wanted).first()
        else:
            station = None
        if station is None:
            raise Http404
        today = timezone.localdate()
        monday = parse_week(request.GET.get("week"))
        if monday is None:
            if request.GET.get("week"):
                messages.warning(request, _("That is not a week: showing this week."))
            monday = today - timedelta(days=today.weekday())
        choices = week_choices(station=station, kinds=service_kinds_for(request.user))
        form_kwargs = {"station": station, "monday": monday, "choices": choices}
        if request.method == "POST":
            rows = WeekRows(request.POST, prefix="row", form_kwargs=form_kwargs)
            if self._save_week(request, station, rows):
                return redirect(week_url(station.pk, monday))
        else:
            rows = WeekRows(prefix="row", form_kwargs=form_kwargs)
        start = timezone.make_aware(datetime.combine(monday, time.min))
        recorded = list(
            ServiceSession.objects.filter(
                station=station, starts_at__gte=start, starts_at__lt=start + timedelta(days=7)
            )
            .select_related("facility", "kind")
            .annotate(n_members=Count("members", distinct=True))
            .order_by("starts_at", "pk")
        )
        context.update(
            title=_("Sessions of the week: %(station)s") % {"station": station},
            station=station,
            monday=monday,
            sunday=monday + timedelta(days=6),
            rows=rows,
            recorded=recorded,
            people_this_week=sum(s.people_served for s in recorded),
            previous=week_url(station.pk, monday - timedelta(days=7)),
            next=week_url(station.pk, monday + timedelta(days=7))
            if monday + timedelta(days=7) <= today
            else "",
            week=week_param(monday),
            station_page=reverse("admin:branches_servicestation_change", args=[station.pk]),
        )
        return TemplateResponse(request, "admin/branches/servicesession/week.html", context)

    def _save_week(self, request, station, rows) -> bool:
        """All the filled lines through session_record in one transaction, or none."""
        if not rows.is_valid():
            messages.error(request, _("Some lines need correcting; nothing was saved."))
            return False
        filled = [(f, f.cleaned_data) for f in rows.forms if f.has_changed() and f.cleaned_data]
        if not filled:
            messages.warning(request, _("No lines were filled in."))
            return False
        try:
            with transaction.atomic():
                for form, row in filled:
                    current = form
                    session_record(
                        station=station,
                        facility=row["facility"],
                        kind=row["kind"],
                        starts_at=row["starts_at"],
                        minutes=row["minutes"],
                        people_served=row["people_served"],
                        members=row["members"],
                        volunteers=row["volunteers"],
                        by=request.user,
                    )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                current.add_error(
                    "day" if field == "starts_at" else field if field in current.fields else None,
                    errors,
                )
            messages.error(request, _("Some lines need correcting; nothing was saved."))
            return False
        people = sum(row["people_served"] for _form, row in filled)
        messages.success(
            request,
            _("Saved %(n)d sessions, %(people)d residents served.")
            % {"n": len(filled), "people": people},
        )
        return True
