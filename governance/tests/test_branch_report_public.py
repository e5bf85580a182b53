"""Residents read published reports only, with no personal data; the PDF holds the estate."""

import datetime
import io

import pytest

from governance.models import BranchReport, RectificationMeasure
from governance.reports import branch_report_publish, branch_reports_draft

from .report_helpers import YEAR, story


@pytest.fixture
def published(world, category):
    story(world, category)
    branch_reports_draft(year=YEAR)
    report = BranchReport.objects.get(estate=world.a_estate, year=YEAR)
    RectificationMeasure.objects.create(
        report=report, text="加装楼道感应灯", owner=world.secretary_a1,
        due_on=datetime.date(YEAR + 1, 3, 1),
    )  # fmt: skip
    return branch_report_publish(report=report, by=world.secretary_a1)


@pytest.mark.django_db
def test_published_report_shows_figures_and_no_personal_data(client, world, published):
    page = client.get(f"/reports/{YEAR}/{world.a_estate.pk}/").content.decode()
    assert world.a_estate.name in page and "加装楼道感应灯" in page
    for private in ("王秀英", "13987654321", "路灯坏了", "xinducheng"):
        assert private not in page
    listing = client.get("/reports/").content.decode()
    assert world.a_estate.name in listing and world.b_estate.name not in listing


@pytest.mark.django_db
def test_a_draft_is_not_found(client, world, published):
    assert client.get(f"/reports/{YEAR}/{world.b_estate.pk}/").status_code == 404
    assert client.get(f"/reports/{YEAR}/{world.b_estate.pk}/report.pdf").status_code == 404


@pytest.mark.django_db
def test_the_pdf_opens_and_holds_the_estate_name(client, world, published):
    from pypdf import PdfReader

    response = client.get(f"/reports/{YEAR}/{world.a_estate.pk}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert world.a_estate.name in text and "13987654321" not in text


@pytest.mark.django_db
def test_pages_run_a_constant_number_of_queries(
    client, world, category, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        client.get(f"/reports/{YEAR}/{world.a_estate.pk}/")
    with django_assert_max_num_queries(6):
        client.get("/reports/")
