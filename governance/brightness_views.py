"""The Three Brightness pages, thin: the content comes from governance.brightness.

- `/stations/<estate_id>/brightness/` (public, no login): a branch's commitments by group,
  its achievements, the cards of its consenting members and the rankings, for a year;
- `/dashboard/branches/` (staff): the branches of the user's scope compared side by side,
  `/dashboard/branches.csv` the same table as a file, and `/dashboard/branches/<id>/` a
  branch's members by points and source (404 outside the scope).

`?year=` is read leniently: anything but a year 2000–2100 means this year."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from branches.models import Estate

from .brightness import (
    branch_in_scope,
    branches_table,
    brightness_page,
    figures_table,
    groups_table,
    members_table,
    staff_may_see,
    year_from,
    year_options,
)
from .dashboard_files import table_csv


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@transaction.non_atomic_requests
@require_safe
def branch_brightness(request, estate_id: int):
    estate = get_object_or_404(Estate.objects.select_related("community__town"), pk=estate_id)
    year = year_from(request.GET.get("year"))
    page = brightness_page(estate=estate, year=year)
    context = {"page": page, "year": year, "years": year_options(year)}
    return render(request, "brightness/branch.html", context)


def _no_scope(request) -> HttpResponse:
    return render(request, "dashboard/no_scope.html", status=403)


@transaction.non_atomic_requests
@login_required
@require_safe
def dashboard_branches(request):
    if not staff_may_see(request.user):
        return _no_scope(request)
    year = year_from(request.GET.get("year"))
    table = branches_table(user=request.user, year=year)
    context = {"table": table, "year": year, "years": year_options(year)}
    return _private(render(request, "brightness/dashboard_branches.html", context))


@transaction.non_atomic_requests
@login_required
@require_safe
def dashboard_branches_csv(request):
    if not staff_may_see(request.user):
        return _no_scope(request)
    year = year_from(request.GET.get("year"))
    table = branches_table(user=request.user, year=year)
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"branches-{year}.csv")
    return _private(response)


@transaction.non_atomic_requests
@login_required
@require_safe
def dashboard_branch(request, estate_id: int):
    if not staff_may_see(request.user):
        return _no_scope(request)
    estate = branch_in_scope(user=request.user, estate_id=estate_id)
    if estate is None:
        raise Http404
    year = year_from(request.GET.get("year"))
    context = {
        "estate": estate,
        "year": year,
        "years": year_options(year),
        "figures": figures_table(estate=estate, year=year),
        "groups": groups_table(estate=estate, year=year),
        "members": members_table(estate=estate, year=year),
    }
    return _private(render(request, "brightness/dashboard_branch.html", context))
