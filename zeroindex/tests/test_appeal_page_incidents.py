"""An appeal's staff page lists the incidents recorded from it (through the reverse relation:
meetings imports nothing of zeroindex) and offers "Record an incident" to whoever may add
one; its queries do not grow with the number of incidents."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zeroindex.services import incident_dismiss, incident_verify


def page_of(appeal):
    return f"/admin/meetings/appeal/{appeal.pk}/change/"


def test_the_appeal_page_lists_its_incidents_and_links_them(
    client, world, new_appeal, new_incident
):
    appeal = new_appeal()
    verified = incident_verify(incident=new_incident(appeal=appeal), by=world.staff_a)
    dismissed = incident_dismiss(
        incident=new_incident(appeal=appeal, category="petition"), reason="误报", by=world.staff_a
    )
    new_incident()  # not from this appeal
    client.force_login(world.staff_a)
    html = client.get(page_of(appeal)).content.decode()
    for incident in (verified, dismissed):
        assert f"/admin/zeroindex/incident/{incident.pk}/change/" in html
        assert f"incident-{incident.status}" in html
    assert len(re.findall(r"/admin/zeroindex/incident/\d+/change/", html)) == 2
    assert f"/admin/zeroindex/incident/add/?appeal={appeal.pk}" in html


def test_the_link_is_offered_only_to_who_may_record(client, world, new_appeal, new_incident):
    appeal = new_appeal()
    new_incident(appeal=appeal)  # the section shows, for everyone who reads the appeal
    link = f"/admin/zeroindex/incident/add/?appeal={appeal.pk}"
    for user in (world.staff_a, world.secretary_a1):
        client.force_login(user)
        assert link in client.get(page_of(appeal)).content.decode()
    client.force_login(world.town_user)  # reads the appeal, records nothing
    html = client.get(page_of(appeal)).content.decode()
    assert link not in html and 'id="record-incident"' not in html
    assert 'class="appeal-incidents"' in html


def test_the_page_with_one_or_ten_incidents_runs_the_same_queries(
    client, world, new_appeal, new_incident
):
    appeal = new_appeal()
    new_incident(appeal=appeal)
    client.force_login(world.staff_a)
    client.get(page_of(appeal))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_of(appeal)).status_code == 200
        return len(captured)

    with_one = queries()
    for n in range(9):
        new_incident(appeal=appeal, description=f"第{n}起")
    assert appeal.incidents.count() == 10
    assert queries() == with_one
