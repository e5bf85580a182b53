"""The incident registry in the staff admin: the list and the board's count links, recording
(also from an appeal in one step), verifying and dismissing on the incident's page, the bulk
verify, and what bad input gets back."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zeroindex.models import Incident, IncidentStatus
from zeroindex.services import incident_dismiss, incident_verify

LIST = "/admin/zeroindex/incident/"
ADD = "/admin/zeroindex/incident/add/"


def page_of(incident):
    return f"/admin/zeroindex/incident/{incident.pk}/change/"


def act(incident, action):
    return f"/admin/zeroindex/incident/{incident.pk}/act/{action}/"


def local(*args):
    return timezone.make_aware(datetime(*args))


def add_form(world, **overrides):
    yesterday = timezone.localdate() - timedelta(days=1)
    data = {
        "estate": world.a_estate.pk,
        "building": world.a_building.pk,
        "category": "construction",
        "occurred_at_0": yesterday.isoformat(),
        "occurred_at_1": "09:15",
        "source": "patrol",
        "appeal_code": "",
        "description": "3栋楼顶新搭彩钢棚。",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_the_list_shows_the_incidents_with_status_and_appeal(
    client, world, new_incident, new_appeal
):
    appeal = new_appeal()
    incident = new_incident(appeal=appeal, source="appeal")
    client.force_login(world.staff_a)
    html = client.get(LIST).content.decode()
    assert 'class="status-badge incident-pending"' in html
    assert appeal.display_code in html and f"/admin/meetings/appeal/{appeal.pk}/change/" in html
    assert timezone.localtime(incident.occurred_at).strftime("%Y-%m-%d %H:%M") in html


def test_search_finds_words_of_the_description(client, world, new_incident):
    new_incident(description="楼顶违建彩钢棚")
    new_incident(description="餐馆油烟直排")
    client.force_login(world.staff_a)
    page = client.get(LIST, {"q": "彩钢棚"})
    assert [i.description for i in page.context["cl"].result_list] == ["楼顶违建彩钢棚"]


def test_the_boards_count_links_list_exactly_what_was_counted(client, world, new_incident):
    """/dashboard/zeros/ links a count to these filters; month edges in Shanghai time."""
    staff = world.staff_a
    on_the_last_evening = new_incident(occurred_at=local(2025, 10, 31, 23, 30), by=staff)
    next_morning = new_incident(occurred_at=local(2025, 11, 1, 0, 10), by=staff)
    other_category = new_incident(occurred_at=local(2025, 10, 5, 12), category="petition", by=staff)
    no_building = new_incident(occurred_at=local(2025, 10, 6, 12), building=None, by=staff)
    pending = new_incident(occurred_at=local(2025, 10, 7, 12), by=staff)
    other_estate = new_incident(
        occurred_at=local(2025, 10, 8, 12),
        estate=world.a_estate2,
        building=world.a2_building,
        by=staff,
    )
    for incident in (on_the_last_evening, next_morning, other_category, no_building, other_estate):
        incident_verify(incident=incident, by=staff)
    client.force_login(staff)

    def listed(query):
        page = client.get(LIST + "?" + query)
        assert page.status_code == 200
        return {i.pk for i in page.context["cl"].result_list}

    estate = f"estate__id__exact={world.a_estate.pk}&category__exact=pollution"
    verified = "status__exact=verified"
    assert listed(f"{estate}&{verified}&period=2025-10") == {on_the_last_evening.pk, no_building.pk}
    assert listed(f"{estate}&{verified}&period=2025-11") == {next_morning.pk}
    assert listed(f"{estate}&{verified}&period=2025") == {
        on_the_last_evening.pk,
        no_building.pk,
        next_morning.pk,
    }
    building = f"building__id__exact={world.a_building.pk}&category__exact=pollution"
    assert listed(f"{building}&{verified}&period=2025-10") == {on_the_last_evening.pk}
    assert pending.pk in listed(f"{estate}&status__exact=pending&period=2025-10")


def test_list_queries_do_not_grow_with_the_number_of_incidents(
    client, world, new_incident, new_appeal
):
    new_incident(appeal=new_appeal())
    client.force_login(world.staff_a)
    client.get(LIST)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    with_one = queries()
    for n in range(30):
        new_incident(description=f"第{n}起", appeal=new_appeal(title=f"诉求{n}"))
    assert queries() == with_one <= 20


def test_a_clerk_records_an_incident(client, world):
    client.force_login(world.secretary_a1)
    response = client.post(ADD, add_form(world))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert (incident.estate, incident.building, incident.category, incident.source) == (
        world.a_estate,
        world.a_building,
        "construction",
        "patrol",
    )
    assert timezone.localtime(incident.occurred_at).strftime("%H:%M") == "09:15"
    assert incident.recorded_by == world.secretary_a1 and incident.events.get().kind == "recorded"
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"building": "a2"}, "building", "不属于"),
        ({"appeal_code": "K7QF-93MX"}, "appeal_code", "K7QF-93MX"),
        ({"appeal_code": "not a code"}, "appeal_code", "not a code"),
        ({"occurred_at_0": "2999-01-01"}, "occurred_at", "晚于现在"),
        ({"occurred_at_0": "2025-02-30"}, "occurred_at", ""),
        ({"description": "   "}, "description", ""),
    ],
)
def test_bad_input_says_why_and_keeps_what_was_typed(client, world, change, field, says):
    client.force_login(world.staff_a)
    if change.get("building") == "a2":
        change = {"building": world.a2_building.pk}
    data = add_form(world, **{"description": "楼顶新搭彩钢棚，约20平方米", **change})
    page = client.post(ADD, data)
    assert page.status_code == 200 and not Incident.objects.exists()
    form = page.context["adminform"].form
    assert field in form.errors and says in " ".join(form.errors[field])
    html = page.content.decode()
    if field != "description":
        assert "楼顶新搭彩钢棚，约20平方米" in html  # what was typed is still there


def test_an_appeal_of_another_estate_is_refused_by_code(client, world, new_appeal):
    appeal = new_appeal(estate=world.a_estate2, building=world.a2_building)
    client.force_login(world.staff_a)
    page = client.post(ADD, add_form(world, appeal_code=appeal.code.lower()))
    assert world.a_estate2.name in " ".join(page.context["adminform"].form.errors["appeal_code"])
    assert not Incident.objects.exists()


def test_record_from_an_appeal_in_one_step(client, world, new_appeal):
    appeal = new_appeal(title="1栋一楼私搭雨棚")
    client.force_login(world.staff_a)
    page = client.get(ADD, {"appeal": appeal.pk})
    form = page.context["adminform"].form
    assert form.initial["estate"] == world.a_estate.pk
    assert form.initial["building"] == world.a_building.pk
    assert form.initial["source"] == "appeal"
    assert form.initial["description"] == "1栋一楼私搭雨棚"
    html = page.content.decode()
    assert appeal.display_code in html and "1栋一楼私搭雨棚" in html
    created = timezone.localtime(appeal.created_at)
    assert form.initial["occurred_at"] == created.replace(microsecond=0)
    assert created.strftime("%H:%M") in html  # in the format of the page's language

    # the clerk picks the category and sends what the page gave
    data = add_form(
        world,
        category="construction",
        source="appeal",
        appeal_code=appeal.display_code,
        description="1栋一楼私搭雨棚",
        occurred_at_0=created.strftime("%Y-%m-%d"),
        occurred_at_1=created.strftime("%H:%M:%S"),
    )
    assert client.post(ADD, data).status_code == 302
    incident = Incident.objects.get()
    assert incident.appeal == appeal and incident.source == "appeal"
    assert abs(incident.occurred_at - appeal.created_at) < timedelta(seconds=1)


def test_prefill_from_an_appeal_out_of_scope_prefills_nothing(client, world, new_appeal):
    appeal = new_appeal(estate=world.b_estate, building=world.b_building, title="金星的诉求")
    client.force_login(world.staff_a)
    page = client.get(ADD, {"appeal": appeal.pk}, follow=True)
    assert page.status_code == 200 and "金星的诉求" not in page.content.decode()
    assert page.context["adminform"].form.initial == {}


def test_the_page_offers_verify_with_a_confirmation_and_dismiss_to_community_staff(
    client, world, new_incident
):
    incident = new_incident()
    client.force_login(world.staff_a)
    html = client.get(page_of(incident)).content.decode()
    assert 'id="action-verify"' in html and 'id="action-dismiss"' in html
    assert f'action="{act(incident, "verify")}" data-confirm=' in html
    assert "餐馆油烟直排" in html and 'id="incident-history"' in html
    assert 'name="_save"' not in html and "/delete/" not in html

    client.force_login(world.secretary_a1)  # records, but does not judge its own zero
    html = client.get(page_of(incident)).content.decode()
    assert 'id="action-verify"' not in html and 'id="action-dismiss"' not in html


def test_verify_and_dismiss_through_the_page(client, world, new_incident):
    first, second = new_incident(), new_incident(description="第二起")
    client.force_login(world.staff_a)
    response = client.post(act(first, "verify"), {})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == IncidentStatus.VERIFIED and first.verified_by == world.staff_a
    html = client.get(page_of(first)).content.decode()
    assert 'id="action-verify"' not in html and "incident-verified" in html

    page = client.post(act(second, "dismiss"), {"dismiss-reason": "  "})
    assert page.status_code == 200 and 'id="action-dismiss"' in page.content.decode()
    second.refresh_from_db()
    assert second.status == IncidentStatus.PENDING

    client.post(act(second, "dismiss"), {"dismiss-reason": "重复登记，见第一起"})
    second.refresh_from_db()
    assert (second.status, second.dismissal_reason) == ("dismissed", "重复登记，见第一起")
    html = client.get(page_of(second)).content.decode()
    assert "重复登记，见第一起" in html  # in the history


def test_of_two_clerks_the_second_is_told_and_keeps_what_was_typed(client, world, new_incident):
    incident = new_incident()
    client.force_login(world.staff_a)
    incident_verify(incident=incident, by=world.superuser)  # the other clerk, a moment earlier
    page = client.post(act(incident, "dismiss"), {"dismiss-reason": "误报，已核实无此事"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "误报，已核实无此事" in html  # the reason typed, still in its box
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert 'id="action-dismiss"' in html and "incident-verified" in html
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.VERIFIED


def test_a_secretary_posting_a_judgement_gets_a_message_not_an_error(client, world, new_incident):
    incident = new_incident()
    client.force_login(world.secretary_a1)
    page = client.post(act(incident, "verify"), {})
    assert page.status_code == 200
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.PENDING


def test_verify_the_selected_incidents_reports_what_was_refused(client, world, new_incident):
    a, b = new_incident(), new_incident(description="第二起")
    done = incident_dismiss(
        incident=new_incident(description="第三起"), reason="误报", by=world.staff_a
    )
    client.force_login(world.staff_a)
    page = client.post(
        LIST,
        {"action": "verify_selected", "_selected_action": [a.pk, b.pk, done.pk]},
        follow=True,
    )
    said = {m.level_tag: str(m) for m in page.context["messages"]}
    assert set(said) == {"success", "warning"}
    assert "2" in said["success"] and str(done) in said["warning"]
    assert "1 起" in said["warning"]  # only the dismissed one
    assert set(Incident.objects.values_list("status", flat=True)) == {"verified", "dismissed"}


def test_secretaries_have_no_bulk_verify(client, world, new_incident):
    new_incident()
    client.force_login(world.secretary_a1)
    html = client.get(LIST).content.decode()
    assert "verify_selected" not in html


def test_no_one_edits_or_deletes_a_record(client, world, new_incident):
    incident = new_incident()
    client.force_login(world.superuser)
    assert client.get(f"{page_of(incident)[: -len('change/')]}delete/").status_code == 403
    assert client.post(page_of(incident), {"description": "改写"}).status_code == 403
    assert "delete_selected" not in client.get(LIST).content.decode()
    incident.refresh_from_db()
    assert incident.description == "餐馆油烟直排，居民投诉气味大。"
