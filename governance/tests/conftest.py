"""The fixtures of the rectification measure tests (governance/tests/measure_helpers.py has
the rest): a drafted report of A's first estate and a measure on it, through the services."""

import pytest

from governance.measures import measure_add
from governance.models import BranchReport
from governance.reports import branch_reports_draft

from .measure_helpers import YEAR, in_days


@pytest.fixture
def report(world):
    branch_reports_draft(year=YEAR)
    return BranchReport.objects.get(estate=world.a_estate, year=YEAR)


@pytest.fixture
def measure(world, report):
    return measure_add(
        report=report,
        text="加装楼道感应灯",
        owner=world.secretary_a1,
        due_on=in_days(30),
        by=world.staff_a,
    )
