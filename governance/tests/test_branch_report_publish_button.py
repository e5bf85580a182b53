"""The branch report's own page has a Publish button for whoever may publish it (the
estate's secretary, or its community's staff: reports.may_publish), never for the committee
or another community; it asks before sending, publishes through the same service as the
list's action, and then the page says so and links the public page."""

import pytest

from governance.models import BranchReport, ReportStatus


def page(client, user, report):
    client.force_login(user)
    return client.get(f"/admin/governance/branchreport/{report.pk}/change/")


@pytest.mark.django_db
def test_the_secretary_sees_the_button_with_a_question_before_it(client, world, report):
    html = page(client, world.secretary_a1, report).content.decode()
    assert 'id="publish"' in html
    assert f'action="/admin/governance/branchreport/{report.pk}/publish/"' in html
    assert "data-confirm=" in html and "js/site.js" in html  # site.js asks it


@pytest.mark.django_db
def test_the_committee_and_outsiders_get_no_button(client, world, report):
    html = page(client, world.town_user, report).content.decode()
    assert 'id="publish"' not in html  # the committee reads the report, no more
    response = page(client, world.staff_b, report)
    assert 'id="publish"' not in response.content.decode()
    assert response.status_code == 302  # another community's report: "not found"


@pytest.mark.django_db
def test_publishing_from_the_page(client, world, report):
    page(client, world.secretary_a1, report)
    response = client.post(f"/admin/governance/branchreport/{report.pk}/publish/", follow=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED and report.published_by == world.secretary_a1
    html = response.content.decode()
    public = f"/reports/{report.year}/{report.estate_id}/"
    assert f'href="{public}"' in html  # the message and the page link the public page
    assert 'id="publish"' not in html
    assert client.get(public).status_code == 200


@pytest.mark.django_db
def test_those_who_may_not_publish_cannot_post_it_either(client, world, report):
    client.force_login(world.town_user)
    client.post(f"/admin/governance/branchreport/{report.pk}/publish/")
    client.force_login(world.staff_b)
    assert client.post(f"/admin/governance/branchreport/{report.pk}/publish/").status_code == 404
    client.force_login(world.secretary_a1)
    assert client.get(f"/admin/governance/branchreport/{report.pk}/publish/").status_code == 405
    assert BranchReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
