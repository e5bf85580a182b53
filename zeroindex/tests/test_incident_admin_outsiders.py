"""Community B's staff opening community A's incidents and records start get "not found"
everywhere (list, page, actions, autocompletes, filters, choices); a staff user without a
scope sees nothing; the town committee reads and changes nothing."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from zeroindex.models import Incident, IncidentStatus, RecordsStart
from zeroindex.services import records_start_set

from .test_incident_admin_pages import ADD, LIST, act, add_form, page_of

STARTS = "/admin/zeroindex/recordsstart/"


@pytest.fixture
def a_records(world, new_incident):
    incident = new_incident(description="光达社区的事件描述")
    start = records_start_set(estate=world.a_estate, month=date(2025, 1, 1))
    return incident, start


def test_bs_staff_do_not_see_as_incidents(client, world, a_records):
    incident, _start = a_records
    client.force_login(world.staff_b)
    page = client.get(LIST)
    assert page.status_code == 200 and not page.context["cl"].result_list
    html = page.content.decode()
    assert world.a_estate.name not in html  # not even in the estate filter
    assert world.a_building.name not in html
    page = client.get(page_of(incident), follow=True)
    assert page.redirect_chain and "光达社区的事件描述" not in page.content.decode()
    listed = client.get(LIST, {"estate__id__exact": world.a_estate.pk})
    assert listed.status_code == 200 and not list(listed.context["cl"].result_list)


@pytest.mark.parametrize("action", ["verify", "dismiss"])
def test_bs_staff_cannot_judge_as_incidents(client, world, a_records, action):
    incident, _start = a_records
    client.force_login(world.staff_b)
    assert client.post(act(incident, action), {"dismiss-reason": "误报"}).status_code == 404
    client.post(LIST, {"action": "verify_selected", "_selected_action": [incident.pk]})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.PENDING


def test_bs_staff_cannot_record_in_as_estate_nor_link_as_appeal(client, world, new_appeal):
    appeal = new_appeal()
    client.force_login(world.staff_b)
    page = client.post(ADD, add_form(world))
    assert page.status_code == 200 and set(page.context["adminform"].form.errors) >= {"estate"}
    data = add_form(world, estate=world.b_estate.pk, building="", appeal_code=appeal.code)
    page = client.post(ADD, data)
    said = " ".join(page.context["adminform"].form.errors["appeal_code"])
    assert appeal.estate.name not in said  # "no appeal you can see", not where it is
    assert not Incident.objects.exists()
    # nor is A's appeal prefilled
    page = client.get(ADD, {"appeal": appeal.pk})
    assert appeal.title not in page.content.decode()


def test_the_building_autocomplete_offers_only_the_users_buildings(client, world):
    client.force_login(world.staff_b)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "zeroindex", "model_name": "incident", "field_name": "building"},
    )
    assert response.status_code == 200
    names = {row["text"] for row in response.json()["results"]}
    assert names == {str(world.b_building)}


def test_bs_staff_do_not_see_as_records_start(client, world, a_records):
    _incident, start = a_records
    client.force_login(world.staff_b)
    page = client.get(STARTS)
    assert page.status_code == 200 and not list(page.context["cl"].result_list)
    page = client.get(f"{STARTS}{start.pk}/change/", follow=True)
    assert page.redirect_chain and "2025" not in page.content.decode().split("<main", 1)[-1]
    response = client.post(f"{STARTS}{start.pk}/change/", {"month": "2024-01"})
    assert response.status_code == 302
    start.refresh_from_db()
    assert start.month == date(2025, 1, 1)
    page = client.get(f"{STARTS}add/")
    assert world.a_estate.name not in page.content.decode()


def test_a_user_without_a_scope_sees_nothing(client, world, a_records):
    incident, start = a_records
    nobody = get_user_model().objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(nobody)
    for url in (LIST, page_of(incident), ADD, STARTS, f"{STARTS}{start.pk}/change/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "光达社区的事件描述" not in response.content.decode()
    assert client.post(act(incident, "verify")).status_code == 404
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.PENDING


def test_the_town_committee_reads_but_records_and_judges_nothing(client, world, a_records):
    incident, start = a_records
    client.force_login(world.town_user)
    assert "光达社区的事件描述" in client.get(page_of(incident)).content.decode()
    html = client.get(page_of(incident)).content.decode()
    assert 'id="action-verify"' not in html
    assert client.get(ADD).status_code == 403
    page = client.post(act(incident, "verify"))
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.PENDING
    assert client.get(f"{STARTS}add/").status_code == 403
    assert RecordsStart.objects.get() == start
