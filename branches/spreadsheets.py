"""Spreadsheets out: CSV that Excel opens in Chinese, XLSX with a header row that reads as
one, and the guard against cells a spreadsheet would run as formulas. Every export uses
these (the five-zero CSV, the appeals export, the dashboard's tables).

Neither writer holds the rows: CSV is yielded a chunk at a time, XLSX written by openpyxl's
write-only workbook to a temporary file, and the rows may come straight from a database
cursor (`QuerySet.iterator()`).
"""

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Concat, Left
from django.db.models.lookups import In

# UTF-8 with this first: Excel otherwise reads the file in the system's code page (GBK on
# a Chinese Windows) and shows the Chinese as mojibake.
BOM = "\ufeff"
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ROWS_PER_CHUNK = 2000
# Characters Excel does not allow in a sheet's name.
SHEET_TITLE_UNSAFE = re.compile(r"[\\/*?:\[\]]")


def csv_safe(value) -> str:
    """The cell as text a spreadsheet shows as written: one starting like a formula gets a
    leading apostrophe."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def formula_safe(expression):
    """`csv_safe` in SQL, for a text column of a query whose rows go out as they come: the
    text with an apostrophe before it when it starts like a formula (NULL stays NULL)."""
    return Case(
        When(In(Left(expression, 1), list(FORMULA_START)), then=Concat(Value("'"), expression)),
        default=expression,
        output_field=CharField(),
    )


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence], *, rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[bytes]:
    """A CSV file as UTF-8 bytes with a BOM, a header row and then `rows`, yielded a chunk
    of rows at a time (for a StreamingHttpResponse). A None cell is written empty. The
    header is made safe here; the rows must already be (`csv_safe`, or `formula_safe` in
    their query): checking every cell in Python would cost more than writing it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([csv_safe(h) for h in header])
    waiting = 0
    for row in rows:
        writer.writerow(row)
        waiting += 1
        if waiting >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            waiting = 0
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(
    header: Sequence[str],
    rows: Iterable[Sequence],
    *,
    widths: Sequence[float] = (),
    title: str = "",
) -> IO[bytes]:
    """An XLSX workbook of one sheet, the header in bold and frozen above the rows, its
    columns `widths` wide (in characters), as an open temporary file at its start (deleted
    when closed: hand it to a FileResponse). openpyxl's write-only mode keeps the rows on
    disk, not in memory. Cells are written as values, never as formulas: the rows must be
    safe as for `csv_chunks`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=SHEET_TITLE_UNSAFE.sub(" ", title)[:31] or "Sheet1")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2F2F2")
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=csv_safe(text))
        cell.font, cell.fill = bold, fill
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append(row)
    file = tempfile.TemporaryFile()  # noqa: SIM115 - returned open, closed by its reader
    workbook.save(file)
    file.seek(0)
    return file
