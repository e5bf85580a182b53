"""The station's services: a station opens with the case's facilities; a session credits each
member who served once; a member taken off (or a session deleted) is withdrawn, put back is
credited again; a session still to come, a facility of another station and people of
another estate are refused with a message and nothing is saved."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from branches.models import DEFAULT_FACILITIES, ContributionEntry, ServiceSession, Volunteer
from branches.stations import session_change, session_delete

from .stations_helpers import days_ago, kind, open_station, points_of, record, session_points

pytestmark = pytest.mark.django_db


def _change(session, **values):
    current = {
        "facility": session.facility,
        "kind": session.kind,
        "starts_at": session.starts_at,
        "people_served": session.people_served,
        "minutes": session.minutes,
        "members": list(session.members.all()),
        "volunteers": list(session.volunteers.all()),
    }
    return session_change(session=session, **{**current, **values})


def test_a_station_opens_with_the_cases_facilities_once(world):
    station = open_station(world.a_estate)
    names = list(station.facilities.order_by("position").values_list("name", "is_open"))
    assert names == [(name, True) for name, _en in DEFAULT_FACILITIES]
    again = open_station(world.a_estate, location="别处")
    assert again.pk == station.pk and again.location == "2栋一楼架空层"
    assert again.facilities.count() == len(DEFAULT_FACILITIES)


def test_each_member_who_served_is_credited_once(world):
    points = session_points()
    station = open_station(world.a_estate)
    member = world.a_member
    session = record(station, members=[member])
    assert points_of(member) == points
    entry = ContributionEntry.objects.get(member=member)
    assert entry.key == f"session:{session.pk}:member:{member.pk}"
    assert entry.on == timezone.localdate(session.starts_at)
    # saved again with the same people: nothing counts twice
    _change(session, people_served=12)
    _change(session, people_served=12)
    assert points_of(member) == points
    assert ContributionEntry.objects.count() == 1


def test_taken_off_is_withdrawn_and_put_back_is_credited_again(world):
    points = session_points()
    station = open_station(world.a_estate)
    member = world.a_member
    session = record(station, members=[member])
    _change(session, members=[])
    assert points_of(member) == 0
    _change(session, members=[member])
    assert points_of(member) == points
    _change(session, members=[])
    _change(session, members=[])  # taken off twice: withdrawn once
    assert points_of(member) == 0
    _change(session, members=[member])
    assert points_of(member) == points
    keys = set(ContributionEntry.objects.values_list("key", flat=True))
    base = f"session:{session.pk}:member:{member.pk}"
    assert keys == {
        base,
        f"{base}:withdrawn",
        f"{base}:2",
        f"{base}:2:withdrawn",
        f"{base}:3",
    }


def test_a_deleted_sessions_credits_are_withdrawn(world):
    session_points()
    station = open_station(world.a_estate)
    session = record(station, members=[world.a_member])
    session_delete(session=session)
    assert not ServiceSession.objects.exists()
    assert points_of(world.a_member) == 0


def test_a_session_still_to_come_is_refused(world):
    session_points()
    station = open_station(world.a_estate)
    with pytest.raises(ValidationError) as refused:
        record(station, members=[world.a_member], when=timezone.now() + timedelta(hours=2))
    assert "starts_at" in refused.value.message_dict
    assert not ServiceSession.objects.exists()
    assert not ContributionEntry.objects.exists()
    # nor may a recorded one be moved into the future
    session = record(station, members=[world.a_member])
    with pytest.raises(ValidationError):
        _change(session, starts_at=timezone.now() + timedelta(days=1))
    session.refresh_from_db()
    assert session.starts_at < timezone.now()


def test_a_facility_of_another_station_is_refused(world):
    station = open_station(world.a_estate)
    other = open_station(world.a_estate2)
    with pytest.raises(ValidationError) as refused:
        record(station, facility=other.facilities.first())
    assert set(refused.value.message_dict) == {"facility"}
    assert not ServiceSession.objects.exists()


def test_people_of_another_estate_are_refused(world):
    session_points()
    station = open_station(world.a_estate)
    stranger = Volunteer.objects.create(estate=world.a_estate2, name="外小区志愿者")
    with pytest.raises(ValidationError) as refused:
        record(station, members=[world.a2_member], volunteers=[stranger])
    assert set(refused.value.message_dict) == {"members", "volunteers"}
    assert world.a2_member.name in refused.value.message_dict["members"][0]
    assert not ServiceSession.objects.exists() and not ContributionEntry.objects.exists()


def test_a_session_counts_its_people_and_volunteers(world):
    station = open_station(world.a_estate)
    doctor = Volunteer.objects.create(
        estate=world.a_estate, name="陈医生", kind=Volunteer.Kind.PROFESSIONAL
    )
    session = record(station, people=23, volunteers=[doctor], when=days_ago(3))
    assert session.people_served == 23 and list(session.volunteers.all()) == [doctor]
    assert session.kind == kind()
