"""The branch annual report of year Y shows the branch's five-standards checklist of Y
(status, self-assessment and review score of the full score) on its public page, its PDF
and its staff page; a report without a checklist says so."""

import io

import pytest

from branches.checklists import (
    checklist_entry_assess,
    checklist_entry_review,
    checklist_open,
    checklist_review,
    checklist_submit,
)
from governance.models import BranchReport, ReportStatus
from governance.reports import branch_report_publish, branch_reports_draft

YEAR = 2025

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world):
    branch_reports_draft(year=YEAR)
    report = BranchReport.objects.get(estate=world.a_estate, year=YEAR)
    return branch_report_publish(report=report, by=world.staff_a)


@pytest.fixture
def reviewed(world):
    checklist = checklist_open(estate=world.a_estate, year=YEAR, by=world.staff_a)
    for entry in checklist.entries.select_related("item"):
        checklist_entry_assess(entry=entry, by=world.staff_a, self_score=entry.item.max_score - 1)
    checklist_submit(checklist=checklist, by=world.staff_a)
    for entry in checklist.entries.select_related("item"):
        checklist_entry_review(entry=entry, by=world.staff_a, review_score=entry.item.max_score - 2)
    return checklist_review(checklist=checklist, by=world.staff_a)


def test_the_public_report_shows_the_reviewed_checklist(client, world, report, reviewed):
    items = reviewed.entries.count()

    html = client.get(f"/reports/{YEAR}/{world.a_estate.pk}/").content.decode()

    assert report.status == ReportStatus.PUBLISHED
    assert f"{100 - items} / 100" in html  # self-assessment
    assert f"{100 - 2 * items} / 100" in html  # the community's review
    assert "已评审" in html or "reviewed" in html


def test_the_pdf_shows_the_checklist(client, world, report, reviewed):
    from pypdf import PdfReader

    response = client.get(f"/reports/{YEAR}/{world.a_estate.pk}/report.pdf")

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert f"{100 - 2 * reviewed.entries.count()} / 100" in text


def test_a_checklist_of_another_year_is_not_this_reports(client, world, report):
    checklist_open(estate=world.a_estate, year=YEAR - 1, by=world.staff_a)

    html = client.get(f"/reports/{YEAR}/{world.a_estate.pk}/").content.decode()

    assert 'id="five-standards"' in html and "/ 100" not in html


def test_the_staff_report_page_shows_the_checklist(client, world, report, reviewed):
    client.force_login(world.staff_a)

    html = client.get(f"/admin/governance/branchreport/{report.pk}/change/").content.decode()

    assert f"{100 - 2 * reviewed.entries.count()} / 100" in html


def test_scores_still_being_typed_are_not_shown(client, world, report):
    checklist = checklist_open(estate=world.a_estate, year=YEAR, by=world.staff_a)
    for entry in checklist.entries.select_related("item"):
        checklist_entry_assess(entry=entry, by=world.staff_a, self_score=3)
    url = f"/reports/{YEAR}/{world.a_estate.pk}/"
    draft = client.get(url).content.decode()

    checklist_submit(checklist=checklist, by=world.staff_a)
    entry = checklist.entries.first()
    checklist_entry_review(entry=entry, by=world.staff_a, review_score=1)
    submitted = client.get(url).content.decode()

    total = 3 * checklist.entries.count()
    assert f"{total} / 100" not in draft  # the branch is still assessing
    assert f"{total} / 100" in submitted  # submitted: the self-assessment is its result
    assert "1 / 100" not in submitted  # the review is not finished
