"""A file of a thousand suggestions whose text comes to more than the confirm step holds
(MAX_TEXT_CHARS): its preview used to say every row was fine and offer "Confirm", which then
answered "preview again" and saved nothing, every time. Now the file is refused at once with
a message saying to split it, and what the preview offers to confirm is always confirmable."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zeroindex.models import Suggestion
from zeroindex.suggestion_import import MAX_FILE_BYTES, MAX_ROWS, MAX_TEXT_CHARS

from .test_suggestion_import import empty_round, page, preview  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

ROW = "the lift in building three stops between floors and nobody comes " * 5


def long_file() -> bytes:
    data = "\n".join(f"Suggestion {n}: {ROW}" for n in range(MAX_ROWS)).encode()
    assert MAX_TEXT_CHARS < len(data) < MAX_FILE_BYTES
    return data


def test_a_file_longer_than_one_confirm_is_refused_with_a_message(client, page):  # noqa: F811
    response = preview(client, page, file=SimpleUploadedFile("survey.csv", long_file()))

    assert response.context["confirm"] is None
    errors = " ".join(response.context["form"].errors.get("file", []))
    assert "split" in errors
    assert not Suggestion.objects.exists()


def test_half_of_it_is_previewed_and_confirmed(client, page):  # noqa: F811
    half = b"\n".join(long_file().splitlines()[: MAX_ROWS // 2])

    shown = preview(client, page, file=SimpleUploadedFile("survey.csv", half))
    text = shown.context["confirm"]["confirmed_text"].value()
    client.post(page, {"confirmed_text": text, "_confirm": "1"})

    assert Suggestion.objects.count() == MAX_ROWS // 2


def test_a_file_just_under_the_limit_is_confirmed_with_the_browsers_line_breaks(client, page):  # noqa: F811
    """A browser sends the confirm's line breaks as CRLF: one more character a line."""
    line = "x" * (MAX_TEXT_CHARS // MAX_ROWS - 1)
    data = "\n".join(line for _n in range(MAX_ROWS)).encode()
    assert MAX_TEXT_CHARS - MAX_ROWS < len(data) <= MAX_TEXT_CHARS

    shown = preview(client, page, file=SimpleUploadedFile("survey.csv", data))
    text = shown.context["confirm"]["confirmed_text"].value().replace("\n", "\r\n")
    client.post(page, {"confirmed_text": text, "_confirm": "1"})

    assert Suggestion.objects.count() == MAX_ROWS
