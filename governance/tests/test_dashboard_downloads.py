"""Every table of /dashboard/ downloads as CSV and as XLSX with the page's own figures (the
same function feeds both): CSV in UTF-8 with a BOM, headers in the reader's language, a rate
as a number of percent, nothing to divide by as an empty cell, a name that starts like a
formula written as text; XLSX the same rows, up to DASHBOARD_XLSX_MAX_ROWS, beyond which the
download answers a page offering the CSV."""

import csv
import io

import pytest
from openpyxl import load_workbook

from governance.dashboard import dashboard_for
from governance.dashboard_choice import choice_for

from .dashboard_helpers import graded, in_english, march

MARCH = {"period": "2025-03"}


@pytest.fixture
def town(world, category, client):
    march(world, category)
    graded(2024, "县住建局", "excellent", "95.2")
    client.force_login(world.town_user)
    return in_english(client)


def _csv(client, name, **query) -> list[list[str]]:
    response = client.get(f"/dashboard/table/{name}.csv", {**MARCH, **query})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(client, name, **query) -> list[list]:
    response = client.get(f"/dashboard/table/{name}.xlsx", {**MARCH, **query})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_every_table_of_the_page_downloads_in_both_forms(town, client):
    page = client.get("/dashboard/", MARCH).content.decode()
    names = ["headline", "places", "months", "categories", "sources", "funnel", "decisions"]
    names += ["medians", "meetings", "zeros", "grades"]
    for name in names:
        assert f"/dashboard/table/{name}.csv?" in page, name
        assert f"/dashboard/table/{name}.xlsx?" in page, name
        assert len(_csv(client, name)) == len(_xlsx(client, name)), name


def test_the_headline_csv_holds_the_pages_figures(town, client):
    rows = {row[0]: row for row in _csv(client, "headline")}
    assert rows["Figure"][1:3] == ["2025-03", "2025-02"]
    assert rows["Received"][1:3] == ["7", "1"]  # the town: A's 6 and B's 1
    assert rows["Response rate"][1:3] == ["28.6", "100.0"]  # 2 of 7, 1 of 1, in percent
    assert rows["Resolution rate"][1:3] == ["66.7", ""]  # February: nothing to divide by
    assert rows["Overdue now"][2] == ""  # a live count has no previous period


def test_the_xlsx_holds_numbers_as_numbers(town, client):
    header, *rows = _xlsx(client, "places")
    assert header[3] == "Response rate (%)"
    guangda = next(row for row in rows if row[1] == "光达社区")
    assert guangda[2] == 6
    assert guangda[3] == pytest.approx(33.3)


def test_a_name_that_looks_like_a_formula_is_written_as_text(town, client, world):
    world.a.name = "=HYPERLINK(1)"
    world.a.save()
    rows = _csv(client, "places")
    assert any(row[1] == "'=HYPERLINK(1)" for row in rows)
    cells = [row[1] for row in _xlsx(client, "places")]
    assert "'=HYPERLINK(1)" in cells  # text, not a formula


def test_a_table_too_long_for_a_spreadsheet_offers_the_csv(town, client, settings):
    settings.DASHBOARD_XLSX_MAX_ROWS = 5
    response = client.get("/dashboard/table/months.xlsx", {"period": "2025"})  # 12 rows
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="too-many-rows"' in html
    assert "/dashboard/table/months.csv?period=2025" in html
    # a table within the limit still comes as XLSX
    assert len(_xlsx(client, "places")) == 3


def test_an_unknown_table_or_form_is_not_found(town, client):
    assert client.get("/dashboard/table/appeals.csv", MARCH).status_code == 404
    assert client.get("/dashboard/table/months.pdf", MARCH).status_code == 404


def test_the_page_and_the_files_come_from_the_same_figures(town, client, world, rf):
    request = rf.get("/dashboard/", MARCH)
    request.user = world.town_user
    board = dashboard_for(choice_for(request), user=world.town_user)
    months = _csv(client, "months")
    assert len(months) - 1 == len(board.tables["months"].rows) == 1
    assert months[1][1] == str(board.tables["months"].rows[0].cells[1]) == "7"


def test_the_appeals_behind_the_figures_are_one_click_away(town, client, world):
    query = {**MARCH, "unit": f"community-{world.a.pk}"}
    page = client.get("/dashboard/", query).content.decode()
    expected = f"/dashboard/exports/appeals.csv?period=2025-03&amp;unit=community-{world.a.pk}"
    assert expected in page
    export = client.get("/dashboard/exports/appeals.csv", query)
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1 + 6  # A's six appeals of March
