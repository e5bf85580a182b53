"""Each figure and rate of a branch's annual report, on a small year of one estate."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.tests.factories import EstateFactory
from governance.models import BranchReport
from governance.reports import branch_reports_draft

from .report_helpers import YEAR, story


@pytest.mark.django_db
def test_every_figure_and_rate_of_a_small_year(world, category):
    story(world, category)
    branch_reports_draft(year=YEAR)
    r = BranchReport.objects.get(estate=world.a_estate, year=YEAR)
    assert (r.received, r.solved, r.acknowledged_in_time) == (3, 1, 1)
    assert (r.resolution_rate, r.response_rate) == (33, 33)
    assert (r.visits, r.visits_answered, r.visits_satisfied) == (3, 2, 1)
    assert r.satisfaction_rate == 50
    assert (r.overdue, r.unsolved, r.dissatisfied) == (1, 2, 1)
    assert set(r.meetings.values()) == {1} and len(r.meetings) == 5
    assert r.categories == {"pollution": 1}
    assert r.five_zero_months == 11 and not r.five_zero_year


@pytest.mark.django_db
def test_an_estate_without_data_gets_zeros_and_no_rates(world, category):
    branch_reports_draft(year=YEAR)
    r = BranchReport.objects.get(estate=world.b_estate, year=YEAR)
    assert r.received == 0 and r.resolution_rate is None and r.satisfaction_rate is None


@pytest.mark.django_db
def test_a_fixed_number_of_queries_for_2_or_20_estates(world, category):
    story(world, category)

    def count():
        BranchReport.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            branch_reports_draft(year=YEAR)
        return len(ctx.captured_queries)

    few = count()
    for i in range(17):
        e = EstateFactory(community=world.a, name=f"小区{i}")
        story(world, category, estate=e)
    assert BranchReport.objects.count() == 3
    assert count() == few
    assert BranchReport.objects.count() == 20
