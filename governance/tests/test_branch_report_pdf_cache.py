"""The public report's PDF is drawn once per version of the report, not on every request
(WeasyPrint costs a noticeable fraction of a second of CPU and the address is public), and a
change to the report (a measure done) gives a new PDF at once, never the stale one."""

import io

import pytest
from pypdf import PdfReader

from governance import documents
from governance.measures import measure_done
from governance.reports import branch_report_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawings(monkeypatch):
    drawn = []
    real = documents.html_pdf

    def counting(html):
        drawn.append(html)
        return real(html)

    monkeypatch.setattr(documents, "html_pdf", counting)
    return drawn


def _pdf_text(client, report) -> str:
    response = client.get(f"/reports/{report.year}/{report.estate_id}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_the_same_report_is_drawn_once(client, world, report, measure, drawings):
    branch_report_publish(report=report, by=world.secretary_a1)
    first = _pdf_text(client, report)
    second = _pdf_text(client, report)
    assert len(drawings) == 1
    assert first == second and world.a_estate.name in first


def test_a_measure_done_after_publishing_shows_in_the_next_pdf(
    client, world, report, measure, drawings
):
    branch_report_publish(report=report, by=world.secretary_a1)
    assert "已完成" not in _pdf_text(client, report)
    measure_done(measure=measure, by=world.secretary_a1)
    assert "已完成" in _pdf_text(client, report)  # on one line: the column does not wrap
    assert len(drawings) == 2


def test_a_cache_that_is_down_costs_a_drawing_not_the_pdf(
    client, world, report, measure, drawings, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(documents.cache, "get", down)
    monkeypatch.setattr(documents.cache, "set", down)
    branch_report_publish(report=report, by=world.secretary_a1)
    assert world.a_estate.name in _pdf_text(client, report)
