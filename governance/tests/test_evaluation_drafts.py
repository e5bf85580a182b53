"""Drafting the year's department evaluations: once per (department, year), refreshed while
a draft, an approved one untouched, a committee member's opinion kept, in Chinese always."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from governance.models import DepartmentEvaluation, EvaluationStatus, Grade
from governance.yearend import evaluations_draft

from .yearend_helpers import Story, department, local, review

pytestmark = pytest.mark.django_db


def test_every_department_gets_one_draft_with_its_figures(world, category):
    works, city, idle = (
        department("县住建局"),
        department("镇城管办", "town"),
        department("县水利局"),
    )
    review(world, works, 90, 100)
    Story(world, category, local(2025, 3, 1)).refer(city).fix(days=2).visit("satisfied")
    review(world, works, 10, held=local(2024, 11, 20))  # another year's meeting
    evaluations_draft(year=2025)
    by_department = {e.department: e for e in DepartmentEvaluation.objects.all()}
    assert set(by_department) == {works, city, idle}
    assert (by_department[works].score, by_department[works].grade) == (
        Decimal("95.00"),
        Grade.EXCELLENT,
    )
    assert by_department[works].review_count == 2
    assert (by_department[city].referrals, by_department[city].score) == (1, Decimal("100.00"))
    assert (by_department[idle].score, by_department[idle].grade) == (None, Grade.NOT_EVALUATED)


def test_running_again_refreshes_drafts_once_per_department_and_year(world):
    works = department("县住建局")
    review(world, works, 50)
    evaluations_draft(year=2025)
    review(world, works, 80)
    evaluations_draft(year=2025)
    evaluation = DepartmentEvaluation.objects.get()
    assert (evaluation.review_count, evaluation.score) == (2, Decimal("65.00"))
    assert "65.00" in evaluation.opinion


def test_an_approved_evaluation_is_never_touched(world):
    works = department("县住建局")
    review(world, works, 50)
    evaluations_draft(year=2025)
    DepartmentEvaluation.objects.update(
        status=EvaluationStatus.APPROVED, approved_at=timezone.now()
    )
    review(world, works, 100)
    evaluations_draft(year=2025)
    evaluation = DepartmentEvaluation.objects.get()
    assert (evaluation.review_count, evaluation.score) == (1, Decimal("50.00"))


def test_an_edited_opinion_is_kept_on_a_refresh_an_untouched_one_is_rewritten(world):
    works, city = department("县住建局"), department("镇城管办", "town")
    review(world, works, 50)
    review(world, city, 50)
    evaluations_draft(year=2025)
    DepartmentEvaluation.objects.filter(department=works).update(opinion="委员会修改的意见")
    review(world, works, 70)
    review(world, city, 70)
    evaluations_draft(year=2025)
    edited = DepartmentEvaluation.objects.get(department=works)
    untouched = DepartmentEvaluation.objects.get(department=city)
    assert edited.opinion == "委员会修改的意见"
    assert edited.score == Decimal("60.00")  # the figures are refreshed all the same
    assert "60.00" in untouched.opinion


def test_the_opinion_is_in_chinese_whatever_language_is_active(world):
    works = department("县住建局", "county")
    works.name_en = "County Housing Bureau"
    works.save()
    review(world, works, 95)
    with translation.override("en"):
        evaluations_draft(year=2025)
    opinion = DepartmentEvaluation.objects.get().opinion
    assert opinion.startswith("县住建局2025年度工作评议意见")
    assert "评定等次：优秀" in opinion
    assert "评议代表对部门服务评价较高" in opinion
    assert "Grade" not in opinion and "Bureau" not in opinion


def _queries_for(world, category, departments):
    for n in range(departments):
        dept = department(f"部门{departments}-{n}")
        review(world, dept, 70 + n % 30)
        Story(world, category, local(2025, 4, 1)).refer(dept).fix(days=n % 20 + 1).visit()
    with CaptureQueriesContext(connection) as captured:
        evaluations_draft(year=2025)
    return len(captured)


def test_drafting_costs_the_same_queries_for_3_and_30_departments(world, category):
    small = _queries_for(world, category, 3)
    DepartmentEvaluation.objects.all().delete()
    large = _queries_for(world, category, 30)
    assert small == large <= 10


def test_the_command_drafts_and_counts_grades(world, capsys):
    works = department("县住建局")
    review(world, works, 95)
    department("县水利局")
    call_command("year_end", year="2025")
    out = capsys.readouterr().out
    assert "Department evaluations for 2025: 2" in out
    assert "excellent: 1" in out and "not_evaluated: 1" in out
    assert DepartmentEvaluation.objects.count() == 2


@pytest.mark.parametrize("year", ["twenty", "1999", str(timezone.now().year), "3000"])
def test_the_command_refuses_a_bad_year(db, year):
    with pytest.raises(CommandError, match="--year"):
        call_command("year_end", year=year)


def test_a_draft_created_by_another_run_meanwhile_is_refreshed_not_an_error(world, monkeypatch):
    """Two workers with the same chunk at once: both look, find no draft, and insert; the
    second insert meets the unique key. It refreshes the draft the first one made instead
    of failing the task (an IntegrityError retried for ever by Celery)."""
    from governance import yearend

    works = department("县住建局")
    real_create = DepartmentEvaluation.objects.bulk_create
    raced = []

    def other_run_first(objs, *args, **kwargs):
        if not raced:  # the other worker's insert lands between our look and ours
            raced.append(True)
            real_create([DepartmentEvaluation(department=works, year=2025, grade="qualified")])
        return real_create(objs, *args, **kwargs)

    monkeypatch.setattr(DepartmentEvaluation.objects, "bulk_create", other_run_first)
    yearend.evaluations_draft(year=2025)
    evaluation = DepartmentEvaluation.objects.get(department=works, year=2025)
    assert evaluation.grade == "not_evaluated"  # refreshed with the run's own figures
