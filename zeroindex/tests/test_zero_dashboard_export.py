"""The dashboard's CSV (/dashboard/zeros/export.csv): one row per estate of the page, each
category's mark and count, five-zero and streak; UTF-8 with a BOM so Excel shows the
Chinese; headers in the reader's language; a name that a spreadsheet would run as a formula
is written as text; scoped like the page."""

import csv
import io

import pytest
from django.conf import settings

from .conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture
def zeros(world, clock, records_from, incident):
    clock(2026, 3, 15)
    records_from(world.a_estate, 2025, 1)
    records_from(world.a_estate2, 2025, 1)
    incident(world.a_estate, "pollution", local(2026, 3, 2, 10, 0))
    incident(world.a_estate, "pollution", local(2026, 3, 9, 10, 0))
    return world


def export(client, user, query="?period=2026-03", language=None):
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/dashboard/zeros/export.csv" + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="five-zeros-' in response["Content-Disposition"]
    return response.content


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_one_row_per_estate_with_marks_counts_five_zero_and_streak(client, zeros):
    table = rows(export(client, zeros.staff_a, language="en"))
    header, *body = table
    assert header[:3] == ["Community", "Estate", "Period"]
    assert header[3:5] == ["illegal construction", "illegal construction: incidents"]
    assert header[-2:] == ["five zeros", "months in a row"]
    by_estate = {r[1]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_estate) == {zeros.a_estate.name, zeros.a_estate2.name}
    broken = by_estate[zeros.a_estate.name]
    assert broken["Community"] == zeros.a.name and broken["Period"] == "2026-03"
    assert broken["environmental pollution"] == "not zero"
    assert broken["environmental pollution: incidents"] == "2"
    assert broken["safety accident"] == "zero" and broken["five zeros"] == "no"
    clean = by_estate[zeros.a_estate2.name]
    assert clean["five zeros"] == "yes" and clean["months in a row"] == "14"


def test_it_starts_with_a_bom_and_its_headers_are_chinese_by_default(client, zeros):
    content = export(client, zeros.staff_a)
    assert content.startswith("\ufeff".encode())
    header = rows(content)[0]
    assert header[:3] == ["社区", "小区", "时段"]
    assert zeros.a_estate.name in content.decode("utf-8-sig")


def test_a_name_a_spreadsheet_would_run_is_written_as_text(client, zeros):
    zeros.a_estate.name = '=HYPERLINK("http://evil.example","点我")'
    zeros.a_estate.save()
    zeros.a.name = "+社区"
    zeros.a.save()
    zeros.a_estate2.name = "@SUM(1)"
    zeros.a_estate2.save()

    body = rows(export(client, zeros.staff_a))[1:]
    names = {r[1] for r in body}
    assert names == {"'" + '=HYPERLINK("http://evil.example","点我")', "'@SUM(1)"}
    assert {r[0] for r in body} == {"'+社区"}
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in body for cell in r)


def test_it_is_scoped_like_the_page(client, zeros):
    content = export(client, zeros.staff_b).decode("utf-8-sig")
    assert zeros.b_estate.name in content
    assert zeros.a_estate.name not in content and zeros.a_estate2.name not in content
    one = export(client, zeros.secretary_a1).decode("utf-8-sig")
    assert zeros.a_estate.name in one and zeros.a_estate2.name not in one
