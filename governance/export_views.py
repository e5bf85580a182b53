"""The dashboard's appeals export, `/dashboard/exports/appeals.csv` and `.xlsx`, for the
period and unit of the dashboard's query string (governance.dashboard_choice).

What the rows hold and how they are masked is meetings.exports. Here: who may have them
(logged in, staff with a scope who may view appeals; a unit outside the scope, or a period
not understood, is refused rather than silently replaced, since a file does not show what
it is for), and how they are written: the CSV streams from a server-side cursor (on
PostgreSQL inside a transaction of its own, so the cursor fetches as the file is sent
instead of being computed whole first); the XLSX is counted first and made only up to
DASHBOARD_XLSX_MAX_ROWS, beyond which a page offers the CSV.
"""

from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import connections, transaction
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from branches.scope import VIEW, may
from branches.spreadsheets import csv_chunks, xlsx_file
from meetings.exports import ROWS_PER_FETCH, AppealsExport, appeals_export
from meetings.models import Appeal

from .dashboard_choice import UNIT, Choice, choice_for


def _choice(request) -> Choice:
    """The period and unit asked for, or the 403 / 400 page."""
    if not may(request.user, VIEW, Appeal):
        raise PermissionDenied
    choice = choice_for(request)
    if choice is None:
        raise PermissionDenied
    asked = UNIT.fullmatch((request.GET.get("unit") or "").strip())
    if asked and (asked[1], int(asked[2])) != (choice.unit.level, choice.unit.place.pk):
        raise PermissionDenied  # not in the user's scope (or no such place)
    if choice.problems:
        raise BadRequest("; ".join(choice.problems))
    return choice


def _export(request, choice: Choice) -> AppealsExport:
    return appeals_export(
        user=request.user,
        start_at=choice.period.start_at,
        end_at=choice.period.end_at,
        **choice.unit.rollup_filter(),
    )


def _filename(choice: Choice, extension: str) -> str:
    """ASCII: appeals-community-3-2026-Q3.csv (custom dates: from_to)."""
    period = "_".join(choice.period.params().values())
    return f"appeals-{choice.unit.param}-{period}.{extension}"


def _attachment(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _export_statements(alias: str) -> None:
    """The rest of this transaction's statements may run EXPORT_STATEMENT_TIMEOUT, not a
    page's DATABASE_STATEMENT_TIMEOUT: the first fetch sorts every row (PostgreSQL)."""
    db = connections[alias]
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            timeout = str(settings.EXPORT_STATEMENT_TIMEOUT)
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [timeout])


def _streamed(rows) -> Iterator[tuple]:
    """The rows from a server-side cursor, `ROWS_PER_FETCH` at a time, on the database the
    request reads (the replica when governance.db_router chose it). On PostgreSQL in a
    transaction of its own: outside one Django declares the cursor WITH HOLD, which makes
    PostgreSQL compute every row at the declaration. (The request's own transaction has
    ended when the response is sent.) SQLite is left in autocommit: a transaction there
    would take the write lock for the whole download."""
    alias = rows.db
    if connections[alias].vendor == "postgresql":
        with transaction.atomic(using=alias):
            _export_statements(alias)
            yield from rows.iterator(chunk_size=ROWS_PER_FETCH)
    else:
        yield from rows.iterator(chunk_size=ROWS_PER_FETCH)


@login_required
@require_GET
def appeals_export_csv(request):
    choice = _choice(request)
    export = _export(request, choice)
    body: Iterable[bytes] = csv_chunks(export.headers, _streamed(export.rows))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    return _attachment(response, _filename(choice, "csv"))


@login_required
@require_GET
def appeals_export_xlsx(request):
    choice = _choice(request)
    export = _export(request, choice)
    count, cap = export.count(), settings.DASHBOARD_XLSX_MAX_ROWS
    if count > cap:
        csv_url = reverse("appeals_export_csv") + choice.query_string()
        context = {"choice": choice, "count": count, "cap": cap, "csv_url": csv_url}
        return render(request, "dashboard/export_too_large.html", context)
    alias = export.rows.db
    # A transaction on the database the request reads (on the primary, a savepoint in the
    # request's): the server-side cursor and the export's statement timeout need one.
    with transaction.atomic(using=alias):
        _export_statements(alias)
        file = xlsx_file(
            export.headers,
            export.rows.iterator(chunk_size=ROWS_PER_FETCH),
            widths=export.widths,
            title=choice.unit.name,
        )
    response = FileResponse(
        file,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    return _attachment(response, _filename(choice, "xlsx"))
