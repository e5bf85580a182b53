"""Recording, verifying and dismissing an incident: who may, what is refused and why, and the
history each move writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.moves import MoveRefused, Refusal
from zeroindex.models import IncidentEvent, IncidentStatus
from zeroindex.services import incident_dismiss, incident_record, incident_verify, may_verify


def refused(kind, call, **kwargs):
    with pytest.raises(MoveRefused) as caught:
        call(**kwargs)
    assert caught.value.kind == kind, caught.value.message
    return caught.value


def test_a_secretary_records_in_its_estate_and_the_event_says_what(world, new_incident):
    incident = new_incident()
    assert incident.status == IncidentStatus.PENDING
    assert incident.recorded_by == world.secretary_a1
    event = incident.events.get()
    assert (event.kind, event.actor) == ("recorded", world.secretary_a1)
    assert event.data["category"] == "pollution" and event.data["building"] == world.a_building.pk


def test_a_secretary_cannot_record_in_another_estate(world, new_incident):
    refused(Refusal.NOT_FOUND, new_incident, estate=world.a_estate2, building=world.a2_building)
    refused(Refusal.NOT_FOUND, new_incident, estate=world.b_estate, building=world.b_building)
    assert not IncidentEvent.objects.exists()


def test_the_town_committee_reads_but_records_nothing(world, new_incident):
    refused(Refusal.NOT_ALLOWED, new_incident, by=world.town_user)
    incident = new_incident()
    refused(Refusal.NOT_ALLOWED, incident_verify, incident=incident, by=world.town_user)
    assert not may_verify(world.town_user)


def test_a_future_date_is_refused(new_incident):
    error = refused(Refusal.INVALID, new_incident, occurred_at=timezone.now() + timedelta(hours=1))
    assert "晚于现在" in error.message  # "cannot be in the future", in the site's language


def test_a_building_of_another_estate_is_refused(world, new_incident):
    refused(Refusal.INVALID, new_incident, building=world.a2_building)


def test_an_appeal_of_another_estate_is_refused(world, new_incident, new_appeal):
    appeal = new_appeal(estate=world.a_estate2, building=world.a2_building)
    refused(Refusal.INVALID, new_incident, appeal=appeal)
    linked = new_incident(appeal=new_appeal())
    assert linked.appeal.estate == world.a_estate


def test_a_secretary_cannot_judge_its_own_zero(world, new_incident):
    incident = new_incident()
    assert not may_verify(world.secretary_a1)
    refused(Refusal.NOT_ALLOWED, incident_verify, incident=incident, by=world.secretary_a1)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.PENDING


def test_community_staff_verify_and_the_history_grows(world, new_incident):
    incident = incident_verify(incident=new_incident(), by=world.staff_a)
    assert incident.status == IncidentStatus.VERIFIED
    assert incident.verified_by == world.staff_a and incident.verified_at is not None
    assert list(incident.events.values_list("kind", "actor")) == [
        ("recorded", world.secretary_a1.pk),
        ("verified", world.staff_a.pk),
    ]


def test_another_communitys_staff_cannot_judge(world, new_incident):
    incident = new_incident()
    refused(Refusal.NOT_FOUND, incident_verify, incident=incident, by=world.staff_b)
    refused(Refusal.NOT_FOUND, incident_dismiss, incident=incident, reason="x", by=world.staff_b)


def test_a_dismissal_needs_its_reason_and_keeps_it(world, new_incident):
    incident = new_incident()
    refused(Refusal.INVALID, incident_dismiss, incident=incident, reason="  ", by=world.staff_a)
    incident = incident_dismiss(incident=incident, reason="重复登记", by=world.staff_a)
    assert incident.status == IncidentStatus.DISMISSED
    assert incident.dismissal_reason == "重复登记"
    assert incident.events.last().data == {"reason": "重复登记"}


@pytest.mark.parametrize("first", ["verify", "dismiss"])
def test_a_judged_incident_cannot_be_judged_again(world, new_incident, first):
    incident = new_incident()
    stale = type(incident).objects.get(pk=incident.pk)  # the other clerk's copy
    if first == "verify":
        incident_verify(incident=incident, by=world.staff_a)
    else:
        incident_dismiss(incident=incident, reason="误报", by=world.staff_a)
    error = refused(Refusal.CONFLICT, incident_verify, incident=stale, by=world.superuser)
    assert str(incident.get_status_display()) in error.message
    refused(Refusal.CONFLICT, incident_dismiss, incident=stale, reason="又一次", by=world.staff_a)
    assert incident.events.count() == 2  # recorded and the one judgement


def test_the_seed_records_backdated_without_a_user(world):
    at = timezone.now() - timedelta(days=400)
    incident = incident_record(
        estate=world.b_estate,
        category="petition",
        occurred_at=at - timedelta(hours=3),
        description="到县信访局上访。",
        at=at,
    )
    incident = incident_verify(incident=incident, at=at + timedelta(days=1))
    assert incident.recorded_at == at and incident.verified_at == at + timedelta(days=1)
