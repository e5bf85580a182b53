"""Printable posters for lobby noticeboards: a QR code that opens the appeal form with the
estate (and building) already chosen. Staff print them for the places in their scope."""

import segno
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from branches.scope import buildings_for, estates_for


def _poster(request, *, estate, building=None):
    query = f"?estate={estate.pk}" + (f"&building={building.pk}" if building else "")
    url = request.build_absolute_uri(reverse("appeal_new") + query)
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=8, border=2, dark="#000", light="#fff", omitsize=True)
    return render(
        request,
        "meetings/poster.html",
        {"estate": estate, "building": building, "url": url, "qr_svg": mark_safe(svg)},
    )


@staff_member_required
def estate_poster(request, estate_id: int):
    estate = estates_for(request.user).select_related("community").filter(pk=estate_id).first()
    if estate is None:
        raise Http404
    return _poster(request, estate=estate)


@staff_member_required
def building_poster(request, building_id: int):
    building = (
        buildings_for(request.user)
        .select_related("estate__community")
        .filter(pk=building_id)
        .first()
    )
    if building is None:
        raise Http404
    return _poster(request, estate=building.estate, building=building)
