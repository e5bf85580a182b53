"""What skips the form and the services is still refused by the database: an incident's
status agrees with its columns, its building and its appeal are of its estate, its category
and source are among the choices; a records start is a first of the month."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zeroindex.models import Incident, RecordsStart


def refused_by_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def rows(incident):
    return Incident.objects.filter(pk=incident.pk)


def test_verified_needs_its_time_and_pending_has_none(new_incident):
    incident = new_incident()
    refused_by_database(lambda: rows(incident).update(status="verified"))
    refused_by_database(lambda: rows(incident).update(verified_at=timezone.now()))
    rows(incident).update(status="verified", verified_at=timezone.now())  # both: accepted


def test_dismissed_needs_its_time_and_reason(new_incident):
    incident = new_incident()
    now = timezone.now()
    refused_by_database(lambda: rows(incident).update(status="dismissed", dismissed_at=now))
    refused_by_database(lambda: rows(incident).update(status="dismissed", dismissal_reason="误报"))
    refused_by_database(
        lambda: rows(incident).update(
            status="dismissed", dismissed_at=now, dismissal_reason="误报", verified_at=now
        )
    )
    rows(incident).update(status="dismissed", dismissed_at=now, dismissal_reason="误报")


def test_unknown_status_category_or_source_is_refused(new_incident):
    incident = new_incident()
    refused_by_database(lambda: rows(incident).update(status="lost"))
    refused_by_database(lambda: rows(incident).update(category="noise"))
    refused_by_database(lambda: rows(incident).update(source="rumour"))


def test_the_building_is_of_the_incidents_estate(world, new_incident):
    incident = new_incident()
    incident.building = world.a2_building
    with pytest.raises(ValidationError) as caught:
        incident.full_clean()
    assert "building" in caught.value.message_dict
    refused_by_database(incident.save)
    refused_by_database(lambda: rows(incident).update(estate=world.a_estate2))


def test_the_appeal_is_of_the_incidents_estate(world, new_incident, new_appeal):
    incident = new_incident()
    other = new_appeal(estate=world.a_estate2, building=world.a2_building)
    refused_by_database(lambda: rows(incident).update(appeal=other))
    rows(incident).update(appeal=new_appeal())  # of its estate: accepted


def test_a_records_start_is_the_first_of_a_month(world):
    start = RecordsStart.objects.create(estate=world.a_estate, month=date(2025, 3, 17))
    assert start.month == date(2025, 3, 1)  # save() moves it to the first
    refused_by_database(
        lambda: RecordsStart.objects.filter(pk=start.pk).update(month=date(2025, 3, 17))
    )
