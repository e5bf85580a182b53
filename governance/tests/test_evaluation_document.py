"""A department's evaluation as a document: the PDF delivered on approval and the printable
page the committee opens, both in Chinese whatever the reader's language."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from governance.documents import evaluation_html, evaluation_pdf
from governance.models import DepartmentEvaluation, EvaluationStatus, Grade
from meetings.models import Department

OPINION = "一、总体评价\n该部门全年按期办结转办诉求十二件。\n二、存在问题\n个别诉求办理超期。"


def make_evaluation(approver=None, **fields) -> DepartmentEvaluation:
    department = Department.objects.get_or_create(
        name="县住房和城乡建设局",
        defaults={"name_en": "County Housing Bureau", "level": Department.Level.COUNTY},
    )[0]
    values = {
        "department": department,
        "year": 2025,
        "review_count": 24,
        "review_mean": Decimal("92.50"),
        "referrals": 15,
        "solved_on_time": 12,
        "visits": 10,
        "satisfied": 9,
        "appeal_result": Decimal("85.00"),
        "score": Decimal("89.50"),
        "grade": Grade.QUALIFIED,
        "opinion": OPINION,
    }
    if approver is not None:
        values.update(
            status=EvaluationStatus.APPROVED, approved_by=approver, approved_at=timezone.now()
        )
    values.update(fields)
    return DepartmentEvaluation.objects.create(**values)


def pdf_pages(evaluation) -> list[str]:
    data = evaluation_pdf(evaluation)
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_text(evaluation) -> str:
    return "\n".join(pdf_pages(evaluation))


@pytest.fixture
def approver(world):
    user = world.town_user
    user.first_name = "张明"
    user.save()
    return user


# --- the PDF -----------------------------------------------------------------------------


def test_the_pdf_holds_the_opinion_the_department_and_the_grade_in_chinese(approver):
    evaluation = make_evaluation(approver, grade=Grade.EXCELLENT)
    with translation.override("en"):  # the reader's language does not change the document
        text = pdf_text(evaluation)
    assert "2025年度县住房和城乡建设局工作评议意见书" in text
    for line in OPINION.splitlines():
        assert line in text
    assert "等次：优秀" in text
    assert "按期办结" in text and "12 / 15" in text
    assert "审定人：张明" in text
    assert "excellent" not in text and "evaluation of the work" not in text


def test_a_revision_says_so_and_a_first_version_does_not(approver):
    first = make_evaluation(approver)
    assert "第1版" in pdf_text(first)
    assert "修订版" not in pdf_text(first)
    first.version = 3
    assert "修订版 第3版" in pdf_text(first)


def test_a_draft_says_draft_and_carries_no_approval(approver):
    draft = make_evaluation()
    text = pdf_text(draft)
    assert "草稿（未经审定）" in text
    assert "审定人" not in text

    draft.status = EvaluationStatus.APPROVED
    draft.approved_by, draft.approved_at = approver, timezone.now()
    text = pdf_text(draft)
    assert "草稿" not in text
    assert "审定人" in text


def test_a_long_opinion_runs_onto_a_second_page_without_losing_text(world):
    paragraphs = [f"第{n}段：该部门对转办诉求的办理情况良好，群众满意。" for n in range(1, 121)]
    evaluation = make_evaluation(opinion="\n".join(paragraphs))
    pages = pdf_pages(evaluation)
    assert len(pages) >= 2
    text = "\n".join(pages)
    found = [int(n) for n in re.findall(r"第(\d+)段", text)]
    assert found == list(range(1, 121))  # every paragraph, once, in order
    assert "第120段" in pages[-1]


# --- the HTML ----------------------------------------------------------------------------


def test_the_html_escapes_a_hostile_opinion_and_keeps_its_line_breaks(world):
    hostile = '<script>alert(1)</script>\n<img src=x onerror="alert(2)">第二行'
    html = evaluation_html(make_evaluation(opinion=hostile))
    assert "<script>alert" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;img" in html  # escaped, break kept


def test_the_pdf_shows_a_hostile_opinion_as_text(world):
    text = pdf_text(make_evaluation(opinion="<b>粗体</b>"))
    assert "<b>粗体</b>" in text


# --- the staff pages ---------------------------------------------------------------------


def urls(evaluation) -> list[str]:
    return [
        reverse("evaluation_document", args=[evaluation.pk]),
        reverse("evaluation_document_pdf", args=[evaluation.pk]),
    ]


def test_anonymous_readers_are_sent_to_log_in(client, world):
    for url in urls(make_evaluation()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["staff_a", "secretary_a1", "staff_b"])
def test_community_staff_and_secretaries_may_not_open_it(client, world, who):
    evaluation = make_evaluation()
    client.force_login(getattr(world, who))
    for url in urls(evaluation):
        assert client.get(url).status_code == 403
    # nor learn which ids exist
    missing = reverse("evaluation_document", args=[evaluation.pk + 1000])
    assert client.get(missing).status_code == 403


def test_the_committee_reads_the_page_in_chinese_with_a_print_button(client, world):
    evaluation = make_evaluation()
    client.force_login(world.town_user)
    client.cookies["django_language"] = "en"
    page, pdf = (client.get(url) for url in urls(evaluation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2025年度县住房和城乡建设局工作评议意见书" in html
    assert 'data-action="print"' in html
    assert "css/document.css" in html and "js/site.js" in html
    assert not re.search(r"\sstyle=|\son\w+=|<script>", html)  # the CSP allows neither
    assert page["Cache-Control"] == "private, no-store"
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert "2025-" in pdf["Content-Disposition"]


def test_a_superuser_may_open_it(client, world):
    client.force_login(world.superuser)
    for url in urls(make_evaluation()):
        assert client.get(url).status_code == 200


def test_a_missing_evaluation_is_not_found(client, world):
    client.force_login(world.town_user)
    assert client.get(reverse("evaluation_document", args=[999999])).status_code == 404
    assert client.get(reverse("evaluation_document_pdf", args=[999999])).status_code == 404


def test_the_page_costs_a_few_queries(client, world, django_assert_max_num_queries):
    evaluation = make_evaluation(world.town_user)
    client.force_login(world.town_user)
    with django_assert_max_num_queries(6):
        assert client.get(urls(evaluation)[0]).status_code == 200
