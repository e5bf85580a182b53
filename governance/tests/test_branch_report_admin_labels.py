"""The report's page in the admin names the meetings held and the five-zero categories
broken in the reader's language, never as the stored keys ({"forum": 0, ...})."""

import pytest

from governance.models import BranchReport
from governance.reports import branch_reports_draft

from .report_helpers import YEAR


@pytest.mark.django_db
def test_meetings_and_broken_categories_read_as_words(client, world):
    branch_reports_draft(year=YEAR)
    report = BranchReport.objects.get(estate=world.a_estate, year=YEAR)
    BranchReport.objects.filter(pk=report.pk).update(
        meetings={"forum": 3, "party_masses": 0, "coordination": 1, "hearing": 0},
        categories={"pollution": 2},
    )
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    page = client.get(f"/admin/governance/branchreport/{report.pk}/change/").content.decode()
    assert "public sentiment forum: 3" in page
    assert "environmental pollution: 2" in page
    assert '"forum"' not in page and "&quot;forum&quot;" not in page
