"""The public pages of the party–masses service stations (no login, phone-first): every
estate's station with this year's sessions and residents served (`/stations/`), and one
station's place, hours, facilities and year (`/stations/<estate id>/`). Figures and head
counts only: no resident, and no name of who served."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from .models import ServiceStation
from .queries import station_recent_sessions, station_year_figures, stations_with_year_figures

RECENT_SESSIONS = 8


@require_safe
def station_list(request):
    year = timezone.localdate().year
    estates, totals = stations_with_year_figures(year=year)
    return render(
        request,
        "branches/station_list.html",
        {"year": year, "estates": estates, "totals": totals},
    )


@require_safe
def station_detail(request, estate_id: int):
    station = (
        ServiceStation.objects.select_related("estate__community")
        .filter(estate__id=estate_id)  # the key's own lookup: a number too big is no match
        .first()
    )
    if station is None:
        raise Http404
    year = timezone.localdate().year
    return render(
        request,
        "branches/station_detail.html",
        {
            "station": station,
            "estate": station.estate,
            "year": year,
            "figures": station_year_figures(station=station, year=year),
            "recent": station_recent_sessions(station=station, limit=RECENT_SESSIONS),
        },
    )
