"""The demo's previous year: `seed_demo` then `year_end` for that year grades one department
each way (excellent, qualified, unqualified, not evaluated), from its review scores and its
referred appeals, and a second seed adds no referral."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.models import DepartmentEvaluation, Grade
from meetings.models import AppealEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development(settings):
    settings.DEBUG = True


def test_the_demos_previous_year_gives_each_grade(capsys):
    call_command("seed_demo")
    year = timezone.localdate().year - 1
    referrals = AppealEvent.objects.filter(department__isnull=False, created_at__year=year)
    count = referrals.count()
    call_command("seed_demo")
    assert referrals.count() == count == 12
    out = io.StringIO()
    call_command("year_end", year=str(year), stdout=out)
    grades = dict(
        DepartmentEvaluation.objects.filter(year=year).values_list("department__name", "grade")
    )
    assert grades == {
        "县住房和城乡建设局": Grade.EXCELLENT,
        "县城市管理和综合执法局": Grade.QUALIFIED,
        "黄兴镇派出所": Grade.UNQUALIFIED,
        "黄兴镇社会事务办": Grade.NOT_EVALUATED,
    }
    works = DepartmentEvaluation.objects.get(year=year, department__name="县住房和城乡建设局")
    assert works.referrals == 4 and works.appeal_result == 100  # judged on its referrals too
    for grade in Grade:
        assert f"{grade.value}: 1" in out.getvalue()
