"""How the dashboard's tables are written: on the page (a rate as "87.5%", nothing to divide
by as "—"), and as CSV and XLSX downloads (a rate as the number 87.5 under a header that
says "%", nothing to divide by as an empty cell). The tables come from
governance.dashboard.dashboard_for, the same for the page and the files.

CSV is UTF-8 with a BOM (so Excel reads the Chinese), headers in the reader's language, and a
cell starting with `= + - @` (or a tab or a carriage return) written as text, so a
spreadsheet never runs a place's or a category's name as a formula. XLSX is written by
openpyxl in write-only mode, every text a string cell (never a formula), up to
DASHBOARD_XLSX_MAX_ROWS rows."""

import csv
import io

from django.conf import settings

from .dashboard import COUNT, DAYS, NUMBER, RANK, RATE, Cell, Column, Table

NO_VALUE = "—"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def _text_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table_rows(table: Table):
    """The header and then each row, as the files hold them."""
    yield [header(c) for c in table.columns]
    for row in table.rows:
        yield [
            file_value(value, column.kind)
            for value, column in zip(row.cells, table.columns, strict=True)
        ]


def table_csv(table: Table) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in table_rows(table):
        writer.writerow([_text_safe(value) for value in row])
    return out.getvalue()


def _xlsx_cell(sheet, value):
    """Text stays text: openpyxl would take a string starting with "=" for a formula."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    # a sheet's title: at most 31 characters, none of []:*?/\
    title = "".join(ch for ch in str(table.title) if ch not in "[]:*?/\\")[:31] or "Sheet"
    sheet = workbook.create_sheet(title)
    for row in table_rows(table):
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
