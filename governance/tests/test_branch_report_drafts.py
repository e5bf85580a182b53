"""A re-run refreshes drafts only; a published report is frozen; publishing is for staff
of the estate."""

import pytest
from django.core.exceptions import PermissionDenied

from governance.models import BranchReport, ReportStatus
from governance.reports import branch_report_publish, branch_reports_draft

from .report_helpers import YEAR, appeal, story
from .yearend_helpers import local


@pytest.mark.django_db
def test_a_rerun_refreshes_drafts_and_leaves_published_ones(world, category):
    story(world, category)
    branch_reports_draft(year=YEAR)
    a = BranchReport.objects.get(estate=world.a_estate, year=YEAR)
    branch_report_publish(report=a, by=world.secretary_a1)
    appeal(world, category, at=local(YEAR, 6, 1))
    appeal(world, category, at=local(YEAR, 6, 1), estate=world.b_estate)
    branch_reports_draft(year=YEAR)
    assert BranchReport.objects.filter(year=YEAR).count() == 3  # each estate once
    a.refresh_from_db()
    assert a.received == 3 and a.status == ReportStatus.PUBLISHED
    assert BranchReport.objects.get(estate=world.b_estate, year=YEAR).received == 1


@pytest.mark.django_db
def test_community_staff_publish_and_outsiders_cannot(world, category):
    branch_reports_draft(year=YEAR)
    a = BranchReport.objects.get(estate=world.a_estate, year=YEAR)
    for outsider in (world.staff_b, world.town_user):
        with pytest.raises(PermissionDenied):
            branch_report_publish(report=a, by=outsider)
    a.refresh_from_db()
    assert a.status == ReportStatus.DRAFT
    branch_report_publish(report=a, by=world.staff_a)
    a.refresh_from_db()
    assert a.status == ReportStatus.PUBLISHED and a.published_by == world.staff_a


@pytest.mark.django_db
def test_b_staff_cannot_see_a_drafts_in_the_admin(client, world, category):
    branch_reports_draft(year=YEAR)
    a = BranchReport.objects.get(estate=world.a_estate, year=YEAR)
    client.force_login(world.staff_b)
    assert client.get(f"/admin/governance/branchreport/{a.pk}/change/").status_code in (302, 404)
    listing = client.get("/admin/governance/branchreport/")
    assert world.a_estate.name not in listing.content.decode()
    client.force_login(world.secretary_a1)
    assert client.get(f"/admin/governance/branchreport/{a.pk}/change/").status_code == 200
