"""Reading a survey round's suggestions from pasted lines or from a CSV or XLSX file, for the
preview: every row as it will be saved, or what is wrong with it. Nothing here saves; the
round's page saves the previewed text through `services.suggestions_add` after confirming,
and parses it again then (what the browser sends back is never trusted).

The format (said on the page too): one suggestion per line (a file: per row). A line is
either the text alone, or columns separated by a tab or "|": "category | text" or
"category | building | text" (either may be left empty). The text is always the last
column, so it may hold a "|" itself when three columns are given. A file's first row is
skipped when it is a header (its last cell reads "text", "suggestion" or "建议…").

A file becomes these lines for the preview (its cells joined by " | "), so what is
confirmed is the same text for both ways in."""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from branches.models import Building, Estate
from meetings.models import AppealCategory

from .services import MAX_SUGGESTIONS_AT_ONCE, SuggestionInput, suggestion_problems

MAX_ROWS = MAX_SUGGESTIONS_AT_ONCE
MAX_FILE_BYTES = 1024 * 1024  # a thousand suggestions of a few lines fit in far less
MAX_TEXT_CHARS = 300_000  # the pasted text (the form field's limit)
# An XLSX file is a zip: refuse one that unpacks to more than this (a "zip bomb").
MAX_XLSX_UNPACKED_BYTES = 30 * 1024 * 1024
HEADER_WORDS = {"text", "suggestion", "suggestions", "建议", "建议内容", "意见建议", "内容"}


class ImportFileError(Exception):
    """The file cannot be read at all (the message says why); the rows are not looked at."""


@dataclass
class Row:
    line: int  # the line (or the file's row) it came from, from 1
    text: str
    category_name: str = ""
    building_name: str = ""
    category: AppealCategory | None = None
    building: Building | None = None
    errors: list[str] = field(default_factory=list)

    def as_input(self) -> SuggestionInput:
        return SuggestionInput(text=self.text, category=self.category, building=self.building)


@dataclass
class Preview:
    rows: list[Row]
    errors: list[str] = field(default_factory=list)  # about the whole list (too many rows)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors and not any(r.errors for r in self.rows)

    @property
    def rows_with_errors(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _split(line: str) -> list[str]:
    if "\t" in line:
        cells = line.split("\t")
        if len(cells) > 3:  # the text may hold tabs too: it is the last column
            cells = [*cells[:2], "\t".join(cells[2:])]
    else:
        cells = line.split("|", 2)
    return [
        " ".join(cell.split()) if i < len(cells) - 1 else cell.strip()
        for i, cell in enumerate(cells)
    ]


class _Names:
    """The categories and the estate's buildings, read once, matched by name."""

    def __init__(self, estate: Estate):
        self.categories = {}
        for category in AppealCategory.objects.all():
            for name in (category.name, category.name_en):
                if name:
                    self.categories.setdefault(name.strip().casefold(), category)
        self.buildings = {b.name.strip().casefold(): b for b in estate.buildings.all()}

    def category(self, name: str) -> AppealCategory | None:
        return self.categories.get(name.casefold())

    def building(self, name: str) -> Building | None:
        key = name.casefold()
        return self.buildings.get(key) or self.buildings.get(f"{key}栋")


def parse_lines(text: str, *, estate: Estate) -> Preview:
    """The preview of pasted lines (blank lines are skipped)."""
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    preview = Preview(rows=[])
    if len(lines) > MAX_ROWS:
        preview.errors.append(
            _("Too many suggestions: at most %(max)d can be added at once. Split the list.")
            % {"max": MAX_ROWS}
        )
        lines = lines[:MAX_ROWS]
    names = _Names(estate)
    for number, line in lines:
        cells = _split(line)
        row = Row(line=number, text=cells[-1])
        if len(cells) == 2:
            row.category_name = cells[0]
        elif len(cells) == 3:
            row.category_name, row.building_name = cells[0], cells[1]
        if "\x00" in line:
            row.errors.append(_("The line holds a character that cannot be saved."))
        if row.category_name:
            row.category = names.category(row.category_name)
            if row.category is None:
                row.errors.append(
                    _("Unknown category “%(name)s”.") % {"name": row.category_name[:50]}
                )
        if row.building_name:
            row.building = names.building(row.building_name)
            if row.building is None:
                row.errors.append(
                    _("No building “%(name)s” in %(estate)s.")
                    % {"name": row.building_name[:50], "estate": estate.name}
                )
        row.errors.extend(suggestion_problems(row.as_input(), estate=estate))
        preview.rows.append(row)
    if not preview.rows and not preview.errors:
        preview.errors.append(_("There are no suggestions to add: every line is empty."))
    return preview


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a building "3" that a spreadsheet keeps as 3.0
    return " ".join(str(value).split())


def _rows_to_text(rows: list[list[str]]) -> str:
    """A file's rows as lines of the pasted format (text last, so it may hold a "|")."""
    cleaned = []
    for row in rows:
        row = [_cell(c) for c in row]
        while row and not row[-1]:  # a sheet pads its rows with empty cells
            row.pop()
        if row:
            cleaned.append(row)
    rows = cleaned
    if rows and rows[0][-1].casefold() in HEADER_WORDS:
        rows = rows[1:]
    lines = []
    for row in rows:
        if len(row) == 1:
            # the text alone; a "|" in it is the resident's, so the columns are said empty
            lines.append(f" |  | {row[0]}" if "|" in row[0] else row[0])
        else:
            # columns: category, building, text (two columns: category, text)
            category, building, text = (row[0], "", row[1]) if len(row) == 2 else row[:3]
            if len(row) > 3:
                text = " ".join(c for c in row[2:] if c)
            lines.append(f"{category} | {building} | {text}")
    return "\n".join(lines)


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ImportFileError(_("This is not a text file: save the sheet as CSV or XLSX."))
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(ord(c) < 32 and c not in "\t\r\n" for c in text):
            break
        return text
    raise ImportFileError(
        _("The file cannot be read as text: save it as CSV (UTF-8) or as an XLSX file.")
    )


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:  # one more than allowed (and a header) is enough
                break
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file cannot be read (%(error)s).") % {"error": error}
        ) from None
    return rows


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(_("This is not a valid XLSX file.")) from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportFileError(_("This XLSX file unpacks to too much data to be a list."))
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True, max_col=10):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        book.close()
    except Exception:  # noqa: BLE001 - any file openpyxl cannot read is a bad file
        raise ImportFileError(_("This is not a valid XLSX file.")) from None
    return rows


def file_to_text(upload) -> str:
    """The uploaded file's rows as pasted lines, or ImportFileError saying why it cannot be
    read (too large, binary, not a spreadsheet, an old .xls)."""
    if upload.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is too large: at most %(max)d KB.") % {"max": MAX_FILE_BYTES // 1024}
        )
    name = (upload.name or "").lower()
    data = upload.read(MAX_FILE_BYTES + 1)
    if not data:
        raise ImportFileError(_("The file is empty."))
    if name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read: save the sheet as XLSX or CSV.")
        )
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("This is not a valid XLSX file."))
    else:
        rows = _csv_rows(data)
    text = _rows_to_text(rows)
    if not text.strip():
        raise ImportFileError(_("The file holds no suggestions."))
    if len(text) > MAX_TEXT_CHARS:  # the confirm step holds no more: it could never be saved
        raise ImportFileError(
            _(
                "The file's suggestions come to %(length)d characters, more than the %(max)d "
                "that can be added at once: split the file."
            )
            % {"length": len(text), "max": MAX_TEXT_CHARS}
        )
    return text
