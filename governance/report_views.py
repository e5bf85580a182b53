"""The public's branch annual reports: `/reports/`, `/reports/<year>/<estate_id>/` and its
A4 PDF. Published reports only (a draft is "not found"); no personal data: figures, the
non-zero five-zero categories and the measures' text, due date, status (overdue marked)
and who answers for them as a role (the branch or the community), never an owner's name."""

from itertools import groupby

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from .documents import report_context, report_pdf
from .models import BranchReport, ReportStatus


def _published():
    return BranchReport.objects.filter(status=ReportStatus.PUBLISHED).select_related(
        "estate__community"
    )


def _report(year: int, estate_id: int) -> tuple[BranchReport, list]:
    # estate__pk, not estate_id: its lookup answers "none" for a number beyond the column's
    # range, where estate_id hands it to SQLite, which fails (OverflowError, a 500).
    report = _published().filter(year=year, estate__pk=estate_id).first()
    if report is None:
        raise Http404
    # the owner's role only ("responsible: the branch / the community"), never the name
    return report, list(report.measures.select_related("owner__staff_scope"))


@require_safe
def report_list(request):
    reports = _published().order_by("-year", "estate__community__name", "estate__name", "pk")
    years = [
        (year, [(c, list(rs)) for c, rs in groupby(in_year, key=lambda r: r.estate.community)])
        for year, in_year in groupby(reports, key=lambda r: r.year)
    ]
    return render(request, "reports/report_list.html", {"years": years})


@require_safe
def report_detail(request, year: int, estate_id: int):
    report, measures = _report(year, estate_id)
    return render(request, "reports/report_detail.html", report_context(report, measures))


@require_safe
def report_document_pdf(request, year: int, estate_id: int):
    report, measures = _report(year, estate_id)
    response = HttpResponse(report_pdf(report, measures), content_type="application/pdf")
    filename = f"{report.year}-{report.estate.name}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
