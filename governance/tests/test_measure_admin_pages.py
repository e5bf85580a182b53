"""The measures on the staff pages: the report's page lists them with an overdue mark and
adds new ones through the service; the measures list (scoped) filters by status, overdue,
estate and year; each measure's page moves it through its actions and shows its history."""

import pytest

from branches.tests.html_forms import read_form
from governance.measures import measure_add, measure_done
from governance.models import BranchReport, RectificationMeasure

from .measure_helpers import in_days

LIST = "/admin/governance/rectificationmeasure/"


@pytest.fixture
def overdue(world, measure):
    """The measure, its due date passed while it is still open."""
    RectificationMeasure.objects.filter(pk=measure.pk).update(due_on=in_days(-3))
    measure.refresh_from_db()
    return measure


@pytest.fixture
def b_measure(world):
    b_report = BranchReport.objects.get(estate=world.b_estate)
    return measure_add(
        report=b_report, text="金星花园修路", owner=world.staff_b, due_on=in_days(-0 + 10)
    )


def test_overdue_is_marked_on_the_reports_page_and_in_the_list(client, world, overdue):
    client.force_login(world.staff_a)
    html = client.get(f"/admin/governance/branchreport/{overdue.report_id}/change/").content
    assert "task-overdue" in html.decode()
    listed = client.get(LIST).content.decode()
    assert "加装楼道感应灯" in listed and "task-overdue" in listed
    measure_done(measure=overdue, by=world.staff_a)
    assert "task-overdue" not in client.get(LIST).content.decode()  # done is not overdue


def test_the_list_filters_and_is_scoped(client, world, report, overdue, b_measure):
    on_time = measure_add(
        report=report, text="清理楼道杂物", owner=world.staff_a, due_on=in_days(5)
    )
    client.force_login(world.staff_a)
    everything = client.get(LIST).content.decode()
    assert "加装楼道感应灯" in everything and "清理楼道杂物" in everything
    assert "金星花园修路" not in everything  # another community's
    late = client.get(LIST + "?overdue=yes").content.decode()
    assert "加装楼道感应灯" in late and "清理楼道杂物" not in late
    measure_done(measure=on_time, by=world.staff_a)
    done = client.get(LIST + "?status__exact=done").content.decode()
    assert "清理楼道杂物" in done and "加装楼道感应灯" not in done
    assert (
        "加装楼道感应灯"
        in client.get(LIST + f"?report__estate__id__exact={world.a_estate.pk}").content.decode()
    )
    assert (
        "加装楼道感应灯"
        not in client.get(
            LIST + f"?report__estate__id__exact={world.a_estate2.pk}"
        ).content.decode()
    )
    assert "加装楼道感应灯" in client.get(LIST + f"?year={report.year}").content.decode()
    assert "加装楼道感应灯" not in client.get(LIST + f"?year={report.year - 1}").content.decode()
    # another community's measure cannot be opened
    assert client.get(LIST + f"{b_measure.pk}/change/").status_code == 302


def test_a_measure_moves_from_its_page(client, world, measure):
    client.force_login(world.secretary_a1)
    page = client.get(LIST + f"{measure.pk}/change/").content.decode()
    assert f"{measure.pk}/act/start/" in page and f"{measure.pk}/act/drop/" in page
    client.post(LIST + f"{measure.pk}/act/start/")
    response = client.post(LIST + f"{measure.pk}/act/drop/", {"drop-reason": "资金未落实"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == "dropped" and measure.drop_reason == "资金未落实"
    page = client.get(LIST + f"{measure.pk}/change/").content.decode()
    assert "资金未落实" in page and 'id="measure-history"' in page
    assert "/act/" not in page  # finished: nothing more to do


def test_the_committee_reads_a_measure_but_gets_no_actions(client, world, measure):
    client.force_login(world.town_user)
    page = client.get(LIST + f"{measure.pk}/change/")
    assert page.status_code == 200 and "/act/" not in page.content.decode()
    client.post(LIST + f"{measure.pk}/act/start/")
    measure.refresh_from_db()
    assert measure.status == "open"


def test_a_measure_is_added_on_the_reports_page_with_its_event(client, world, report):
    client.force_login(world.staff_a)
    url = f"/admin/governance/branchreport/{report.pk}/change/"
    form = read_form(client.get(url).content.decode(), "branchreport_form")
    prefix = next(
        n.removesuffix("-TOTAL_FORMS")
        for n in form.names()
        if n.endswith("-TOTAL_FORMS") and f"{n.removesuffix('-TOTAL_FORMS')}-0-text" in form.names()
    )
    form.set(f"{prefix}-0-text", "更换单元门禁")
    form.set(f"{prefix}-0-owner", str(world.secretary_a1.pk))
    form.set(f"{prefix}-0-due_on", in_days(20).isoformat())
    response = client.post(url, form.data("_continue"))
    assert response.status_code == 302, response.content.decode()[:3000]
    added = report.measures.get()
    assert (added.text, added.owner, added.due_on) == (
        "更换单元门禁",
        world.secretary_a1,
        in_days(20),
    )
    assert added.remind_at is not None and added.events.get().actor == world.staff_a


def test_a_published_reports_page_adds_no_measures(client, world, report, measure):
    from governance.reports import branch_report_publish

    branch_report_publish(report=report, by=world.secretary_a1)
    client.force_login(world.staff_a)
    html = client.get(f"/admin/governance/branchreport/{report.pk}/change/").content.decode()
    assert "加装楼道感应灯" in html and "-0-text" not in html
