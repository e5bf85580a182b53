"""The committee's dashboard pages (`/dashboard/`), thin: the choice of period and unit comes
from governance.dashboard_choice (the user's scope decides which units there are), every
figure from governance.dashboard.dashboard_for, the files from governance.dashboard_files.

- `/dashboard/`: the page (figures, charts, tables), for staff with a scope (403 without);
- `/dashboard/table/<name>.csv` and `.xlsx`: one of its tables, for the same query;
- `/dashboard/report/` and `/dashboard/report.pdf`: the printable report (A4).

A download or a report for a place outside the user's scope answers 404: it never falls back
to the user's own figures under the name of another place. The pages only read, so they run
outside the request's transaction (each aggregate sees committed data, as it would inside one
on PostgreSQL's read committed)."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from .dashboard import RANK_BY, Dashboard, dashboard_for
from .dashboard_choice import UNIT, Choice, ReportPeriod, choice_for, period_options
from .dashboard_files import table_csv, table_xlsx, xlsx_max_rows
from .documents import html_pdf

REPORT_TEMPLATE = "dashboard/report.html"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _choice(request, *, strict: bool = False) -> Choice | HttpResponse:
    """The request's choice; a page saying why for a user without a scope (403); with
    `strict`, 404 for a place outside the scope instead of the user's own."""
    user = request.user
    choice = choice_for(request) if (user.is_active and user.is_staff) else None
    if choice is None:
        return render(request, "dashboard/no_scope.html", status=403)
    asked = UNIT.fullmatch((request.GET.get("unit") or "").strip())
    if strict and asked and (asked[1], int(asked[2])) != (choice.unit.level, choice.unit.place.pk):
        raise Http404
    return choice


def _board(request, choice: Choice) -> Dashboard:
    return dashboard_for(choice, user=request.user, rank_by=request.GET.get("rank", ""))


def _query(choice: Choice, board: Dashboard) -> str:
    """This view's query string, what every download and the report keep."""
    return choice.query_string(rank=board.rank_by)


def _links(choice: Choice, board: Dashboard) -> dict:
    today = timezone.localdate()
    period = choice.period
    quick = [
        (ReportPeriod.month(today.year, today.month), "this_month"),
        (ReportPeriod.quarter(today.year, (today.month - 1) // 3 + 1), "this_quarter"),
        (ReportPeriod.year(today.year), "this_year"),
        (ReportPeriod.year(today.year - 1), "last_year"),
    ]
    query = _query(choice, board)
    return {
        "previous": choice.with_period(period.previous()),
        "next": choice.with_period(period.next()),
        "quick": {name: (choice.with_period(p), p == period) for p, name in quick},
        "query": query,
        # the appeals export (governance.export_views) reads the same choice
        "export": choice.query_string(),
        "report": reverse("dashboard_report") + query,
        "report_pdf": reverse("dashboard_report_pdf") + query,
        "rank": {key: choice.query_string(rank=key) + "#places" for key in RANK_BY},
        "tables": {
            name: {
                "csv": reverse("dashboard_table", args=[name, "csv"]) + query,
                "xlsx": reverse("dashboard_table", args=[name, "xlsx"]) + query,
            }
            for name in board.tables
        },
    }


def _context(request, choice: Choice, board: Dashboard) -> dict:
    return {
        "choice": choice,
        "board": board,
        "tables": board.tables,
        "links": _links(choice, board),
        "period_options": period_options(choice.period),
        "units": _unit_options(choice),
        "path": [(u.name, choice.with_unit(u), u.param == choice.unit.param) for u in choice.path],
    }


def _unit_options(choice: Choice) -> list[tuple[str, str, bool]]:
    """The unit chooser: the places above the one shown (up to the user's own), it, and the
    places one level below it."""
    options = [(u.param, u.name, u.param == choice.unit.param) for u in choice.path]
    options += [(u.param, f"— {u.name}", False) for u in choice.children]
    return options


@transaction.non_atomic_requests
@login_required
@require_GET
def dashboard(request):
    choice = _choice(request)
    if isinstance(choice, HttpResponse):
        return choice
    board = _board(request, choice)
    return _private(render(request, "dashboard/dashboard.html", _context(request, choice, board)))


def _filename(choice: Choice, name: str, extension: str) -> str:
    period = "_".join(choice.period.params().values())
    return f"dashboard-{name}-{choice.unit.param}-{period}.{extension}"


@transaction.non_atomic_requests
@login_required
@require_GET
def dashboard_table(request, name: str, extension: str):
    """One table of the page, for the same query, as CSV or XLSX (beyond
    DASHBOARD_XLSX_MAX_ROWS rows, a page offering the CSV instead)."""
    if extension not in ("csv", "xlsx"):
        raise Http404
    choice = _choice(request, strict=True)
    if isinstance(choice, HttpResponse):
        return choice
    board = _board(request, choice)
    table = board.tables.get(name)
    if table is None:
        raise Http404
    if extension == "csv":
        response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(
            True, _filename(choice, name, extension)
        )
    elif len(table.rows) > xlsx_max_rows():
        csv_url = reverse("dashboard_table", args=[name, "csv"]) + _query(choice, board)
        context = {"table": table, "csv_url": csv_url, "limit": xlsx_max_rows()}
        return _private(render(request, "dashboard/too_many_rows.html", context))
    else:
        response = FileResponse(
            table_xlsx(table),
            as_attachment=True,
            filename=_filename(choice, name, extension),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return _private(response)


def _report_html(request, choice: Choice, board: Dashboard, *, served: bool) -> str:
    context = {**_context(request, choice, board), "served": served, "now": timezone.now()}
    return render_to_string(REPORT_TEMPLATE, context, request=request if served else None)


@transaction.non_atomic_requests
@login_required
@require_GET
def dashboard_report(request):
    """The printable report: the figures and tables on A4 sheets (print stylesheet)."""
    choice = _choice(request, strict=True)
    if isinstance(choice, HttpResponse):
        return choice
    board = _board(request, choice)
    return _private(HttpResponse(_report_html(request, choice, board, served=True)))


@transaction.non_atomic_requests
@login_required
@require_GET
def dashboard_report_pdf(request):
    """The same report as a PDF (WeasyPrint, through governance.documents.html_pdf)."""
    choice = _choice(request, strict=True)
    if isinstance(choice, HttpResponse):
        return choice
    board = _board(request, choice)
    pdf = html_pdf(_report_html(request, choice, board, served=False))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, _filename(choice, "report", "pdf")
    )
    return _private(response)
