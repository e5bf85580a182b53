"""How the dashboard's tables are written: on the page (a rate as "87.5%", nothing to divide
by as "—"), and as CSV and XLSX downloads (a rate as the number 87.5 under a header that
says "%", nothing to divide by as an empty cell). The tables come from
governance.dashboard.dashboard_for, the same for the page and the files.

Both are written by branches.spreadsheets, as every export is: CSV in UTF-8 with a BOM (so
Excel reads the Chinese), XLSX by openpyxl's write-only workbook (up to
DASHBOARD_XLSX_MAX_ROWS rows), headers in the reader's language, and a text starting with
`= + - @` (or a tab or a carriage return) given a leading apostrophe, so a spreadsheet never
runs a place's or a category's name as a formula."""

from typing import IO

from django.conf import settings

from branches.spreadsheets import csv_chunks, csv_safe, xlsx_file

from .dashboard import COUNT, DAYS, NUMBER, RANK, RATE, Cell, Column, Table

NO_VALUE = "—"


def _unwrap(value, kind: str):
    if isinstance(value, Cell):
        return value.value, value.kind
    return value, kind


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def cell_text(value, kind: str) -> str:
    """A cell as the page writes it."""
    value, kind = _unwrap(value, kind)
    if value is None or value == "":
        return NO_VALUE if kind in (RATE, DAYS, NUMBER, RANK) else ""
    if kind == RATE:
        return f"{_number(100 * value)}%"
    if kind in (DAYS, NUMBER):
        return _number(float(value))
    return str(value)


def file_value(value, kind: str):
    """A cell as the CSV and XLSX files hold it: numbers as numbers, a rate in percent."""
    value, kind = _unwrap(value, kind)
    if value is None:
        return ""
    if kind == RATE:
        return round(100 * value, 1)
    if kind in (DAYS, NUMBER):
        return round(float(value), 1)
    if kind in (COUNT, RANK):
        return value
    return str(value)


def header(column: Column) -> str:
    return f"{column.label} (%)" if column.kind == RATE else str(column.label)


def xlsx_max_rows() -> int:
    return int(getattr(settings, "DASHBOARD_XLSX_MAX_ROWS", 100_000))


def table_rows(table: Table):
    """Each row as the files hold it, a text made safe from being run as a formula."""
    for row in table.rows:
        yield [
            _safe(file_value(value, column.kind))
            for value, column in zip(row.cells, table.columns, strict=True)
        ]


def _safe(value):
    return csv_safe(value) if isinstance(value, str) else value


def table_csv(table: Table) -> bytes:
    return b"".join(csv_chunks([header(c) for c in table.columns], table_rows(table)))


def table_xlsx(table: Table) -> IO[bytes]:
    """The workbook as an open temporary file (for a FileResponse)."""
    widths = [28 if c.kind == "text" else 14 for c in table.columns]
    return xlsx_file(
        [header(c) for c in table.columns], table_rows(table), widths=widths, title=table.title
    )
