"""An XLSX export holds at most DASHBOARD_XLSX_MAX_ROWS appeals: beyond it the page says how
many there are and offers the same export as CSV, which streams any number."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from .export_helpers import body, csv_rows, xlsx_url


@pytest.fixture
def five(world, new_appeal):
    return [new_appeal() for _ in range(5)]


def test_beyond_the_cap_the_page_offers_the_csv(client, world, five, settings):
    settings.DASHBOARD_XLSX_MAX_ROWS = 3
    client.force_login(world.staff_a)
    query = {"unit": f"community-{world.a.pk}"}
    response = client.get(xlsx_url(**query))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "本次导出共有 5 条诉求，XLSX 文件最多容纳 3 条" in page
    csv_link = response.context["csv_url"]
    assert csv_link.startswith(reverse("appeals_export_csv") + "?")
    assert f'href="{csv_link.replace("&", "&amp;")}"' in page
    # the link is the same export: the five appeals, as CSV
    assert len(csv_rows(client.get(csv_link))) == 1 + 5


def test_up_to_the_cap_it_is_a_spreadsheet_with_a_bold_frozen_header(client, world, five, settings):
    settings.DASHBOARD_XLSX_MAX_ROWS = 5
    client.force_login(world.staff_a)
    response = client.get(xlsx_url())
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(body(response))).worksheets[0]
    assert sheet.max_row == 1 + 5
    assert sheet["A1"].value == "查询码" and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.title == world.a.name
