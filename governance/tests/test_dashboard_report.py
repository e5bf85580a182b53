"""The printable report (/dashboard/report/, for the committee's meetings): the page's
figures and tables on A4 sheets with a Print button and the print stylesheet, and the same
report as a PDF drawn through governance.documents (WeasyPrint, the CJK font), with its
bar charts drawn as SVG since paper runs no script. Both for the period and place of the
query, and linked from the dashboard, the staff home and the home page."""

import io

import pytest
from pypdf import PdfReader

from .dashboard_helpers import in_english, march

MARCH = {"period": "2025-03"}


@pytest.fixture
def town(world, category, client):
    march(world, category)
    client.force_login(world.town_user)
    return in_english(client)


def test_the_printable_report_has_the_figures_and_a_print_button(town, client):
    response = client.get("/dashboard/report/", MARCH)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    assert "Community governance report: 黄兴镇" in html
    assert "2025-03" in html and "compared with 2025-02" in html
    assert 'data-action="print"' in html
    assert "css/document.css" in html and "css/dashboard-report.css" in html
    assert "<svg" in html  # the categories' and the funnel's bars, for paper
    assert ">28.6%<" in html  # the town's response rate, 2 of 7
    assert "光达社区" in html and "金星社区" in html


def test_the_report_is_of_the_place_asked_for(town, client, world):
    html = client.get("/dashboard/report/", {**MARCH, "unit": f"community-{world.b.pk}"})
    html = html.content.decode()
    assert "Community governance report: 金星社区" in html
    assert "光达社区" not in html


def test_the_report_as_a_pdf(town, client):
    response = client.get("/dashboard/report.pdf", MARCH)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "dashboard-report-town-" in response["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "黄兴镇" in text
    assert "28.6%" in text
    assert "光达社区" in text


def test_the_report_is_linked_from_the_dashboard_and_the_staff_home(town, client):
    page = client.get("/dashboard/", MARCH).content.decode()
    assert 'href="/dashboard/report/?period=2025-03&amp;unit=town-' in page
    assert 'href="/dashboard/report.pdf?period=2025-03&amp;unit=town-' in page
    staff_home = client.get("/admin/").content.decode()
    assert 'href="/dashboard/"' in staff_home and 'href="/dashboard/report/"' in staff_home


def test_the_home_page_leads_to_the_dashboard(client, db):
    assert 'href="/dashboard/"' in client.get("/").content.decode()
