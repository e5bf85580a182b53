"""Reading the appeals export back as a user's spreadsheet program would."""

import csv
import io
import zipfile
from urllib.parse import urlencode

from django.urls import reverse
from openpyxl import load_workbook

from branches.spreadsheets import BOM


def csv_url(**query) -> str:
    return _url("appeals_export_csv", query)


def xlsx_url(**query) -> str:
    return _url("appeals_export_xlsx", query)


def _url(name: str, query: dict) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def body(response) -> bytes:
    """All of a response's bytes, streamed or not (a stream is read once, then kept)."""
    if not response.streaming:
        return response.content
    if not hasattr(response, "read_body"):
        response.read_body = b"".join(response.streaming_content)
    return response.read_body


def csv_rows(response) -> list[list[str]]:
    """The CSV's rows, header first; it must start with the BOM."""
    text = body(response).decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(body(response)), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def xlsx_text(response) -> str:
    """Every XML part of the XLSX file as one text (the file is a zip: its bytes hide it)."""
    with zipfile.ZipFile(io.BytesIO(body(response))) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def by_code(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    """Data rows keyed by the tracking code, each a dict by header."""
    header, *data = rows
    return {row[0]: dict(zip(header, row, strict=True)) for row in data}
