"""Adding suggestions on a round's page: pasted lines or a CSV or XLSX file, a preview of
every row with its problems, and nothing saved until the previewed list is confirmed (and
parsed again then). Bad files get a message, never an error page; typed text is kept."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from zeroindex import suggestion_import
from zeroindex.models import Suggestion

from .survey_helpers import make_round


@pytest.fixture
def empty_round(world):
    return make_round(world.a_estate, suggestions=0)


@pytest.fixture
def page(client, world, empty_round):
    client.force_login(world.secretary_a1)
    client.cookies["django_language"] = "en"
    return reverse("admin:zeroindex_surveyround_suggestions", args=[empty_round.pk])


def preview(client, page, text="", file=None):
    data = {"text": text, "_preview": "1"}
    if file is not None:
        data["file"] = file
    response = client.post(page, data)
    assert response.status_code == 200
    return response


def confirmed_text(response) -> str:
    return response.context["confirm"]["confirmed_text"].value()


def test_pasted_lines_are_previewed_and_saved_only_on_confirm(client, page, world, appeal_category):
    text = "楼道灯坏了\n\n公共设施 | a-1栋 | 电梯经常停运\n停车管理 | 增加车位"
    response = preview(client, page, text)
    rows = response.context["preview"].rows
    assert [(r.line, r.text) for r in rows] == [
        (1, "楼道灯坏了"),
        (3, "电梯经常停运"),
        (4, "增加车位"),
    ]
    assert rows[1].category == appeal_category and rows[1].building == world.a_building
    assert rows[2].category.name == "停车管理" and rows[2].building is None
    assert not Suggestion.objects.exists()  # a preview saves nothing

    response = client.post(page, {"confirmed_text": confirmed_text(response), "_confirm": "1"})
    assert response.status_code == 302
    saved = list(Suggestion.objects.order_by("number"))
    assert [(s.number, s.text) for s in saved] == [
        (1, "楼道灯坏了"),
        (2, "电梯经常停运"),
        (3, "增加车位"),
    ]
    assert saved[1].building == world.a_building


def test_each_problem_is_shown_on_its_row_and_nothing_can_be_confirmed(client, page, db):
    long = "长" * 2001
    text = f"无此类别 | 灯坏了\n | 99栋 | 修路\n公共设施 | | \n{long}\nok"
    response = preview(client, page, text)
    html = response.content.decode()
    rows = response.context["preview"].rows
    assert "Unknown category" in rows[0].errors[0]
    assert "No building “99栋”" in rows[1].errors[0]
    assert rows[2].errors == ["The suggestion is empty."]
    assert "too long: 2001 characters, at most 2000" in rows[3].errors[0]
    assert rows[4].errors == []
    assert response.context["confirm"] is None and 'name="_confirm"' not in html
    assert "4 rows have problems" in html
    assert "无此类别 | 灯坏了" in html  # the typed text comes back in the box


def test_a_confirm_is_parsed_again_not_trusted(client, page, world):
    """What comes back to be saved is checked again: a building of another estate slipped
    into the hidden field saves nothing."""
    response = client.post(
        page, {"confirmed_text": f" | {world.b_building.name} | x", "_confirm": "1"}
    )
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_too_many_rows_are_refused(client, page, db):
    text = "\n".join(f"建议{n}" for n in range(suggestion_import.MAX_ROWS + 1))
    response = preview(client, page, text)
    assert "at most 1000 can be added at once" in response.content.decode()
    assert response.context["confirm"] is None


def test_a_csv_file_in_gbk_with_a_header(client, page, world, appeal_category):
    data = "类别,楼栋,建议\n公共设施,a-1栋,电梯经常停运\n,,小区路灯太暗\n".encode("gb18030")
    response = preview(client, page, file=SimpleUploadedFile("建议.csv", data, "text/csv"))
    rows = response.context["preview"].rows
    assert [(r.text, r.category, r.building) for r in rows] == [
        ("电梯经常停运", appeal_category, world.a_building),
        ("小区路灯太暗", None, None),
    ]
    client.post(page, {"confirmed_text": confirmed_text(response), "_confirm": "1"})
    assert Suggestion.objects.count() == 2


def test_an_xlsx_file(client, page, world, appeal_category):
    book = Workbook()
    sheet = book.active
    sheet.append(["类别", "楼栋", "建议内容"])
    sheet.append(["公共设施", "a-1", "儿童游乐场滑梯有裂缝"])
    sheet.append(["无此类别", None, "增设座椅"])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("survey.xlsx", buffer.getvalue())
    response = preview(client, page, file=upload)
    rows = response.context["preview"].rows
    assert rows[0].building == world.a_building  # "a-1" finds "a-1栋"
    assert rows[0].category == appeal_category and rows[0].errors == []
    assert "Unknown category" in rows[1].errors[0]
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "not a text file"),
        ("fake.xlsx", b"just text pretending", "not a valid XLSX file"),
        ("broken.xlsx", b"PK\x03\x04garbage that is no zip", "not a valid XLSX file"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Old Excel files"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_a_bad_file_gets_a_message_and_the_page_again(client, page, name, content, message):
    response = preview(client, page, file=SimpleUploadedFile(name, content))
    assert message in response.content.decode()
    assert response.context["preview"] is None
    assert not Suggestion.objects.exists()


def test_a_file_too_large_is_refused(client, page):
    big = b"a,b,c\n" * (suggestion_import.MAX_FILE_BYTES // 6 + 10)
    response = preview(client, page, file=SimpleUploadedFile("big.csv", big))
    assert "too large" in response.content.decode()


def test_an_xlsx_that_unpacks_to_too_much_is_refused(client, page, monkeypatch):
    monkeypatch.setattr(suggestion_import, "MAX_XLSX_UNPACKED_BYTES", 1000)
    book = Workbook()
    for n in range(200):
        book.active.append([f"建议{n}" * 5])
    buffer = io.BytesIO()
    book.save(buffer)
    response = preview(client, page, file=SimpleUploadedFile("big.xlsx", buffer.getvalue()))
    assert "unpacks to too much" in response.content.decode()


def test_text_and_a_file_together_keep_the_text(client, page):
    response = preview(client, page, "我打的字", file=SimpleUploadedFile("a.csv", "建议".encode()))
    html = response.content.decode()
    assert "not both" in html and "我打的字" in html


def test_a_bad_file_keeps_what_was_typed_elsewhere_on_the_page(client, page):
    """After a bad file the box is as it was: a user who emptied it to send a file has
    nothing to lose, and the file's message says what to do."""
    response = preview(client, page, "", file=SimpleUploadedFile("x.xlsx", b"nope"))
    assert response.context["form"]["text"].value() == ""
    assert "not a valid XLSX file" in response.content.decode()


def test_a_one_column_file_keeps_a_bar_inside_a_suggestion(client, page, db):
    # A sheet with the text alone: a "|" in a resident's words is part of them, not a column
    # separator (the lines the file becomes must say so).
    data = "建议\n电梯经常停运|希望尽快维修\n小区路灯太暗\n".encode()
    response = preview(client, page, file=SimpleUploadedFile("建议.csv", data, "text/csv"))
    rows = response.context["preview"].rows
    assert [(r.text, r.category, r.errors) for r in rows] == [
        ("电梯经常停运|希望尽快维修", None, []),
        ("小区路灯太暗", None, []),
    ]
    client.post(page, {"confirmed_text": confirmed_text(response), "_confirm": "1"})
    assert Suggestion.objects.filter(text="电梯经常停运|希望尽快维修").exists()
