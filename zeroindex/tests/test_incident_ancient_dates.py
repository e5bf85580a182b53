"""An incident dated in year 1 (a slip of the date picker, or a forged form) is refused with a
message next to the field and what was typed kept: stored, its UTC moment fell before year 1
and every page listing it (the registry's list for the whole community) answered with a
server error. The service refuses it too, whoever calls it."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from meetings.moves import MoveRefused
from zeroindex.models import Incident
from zeroindex.services import incident_record

from .test_incident_admin_pages import ADD, LIST, add_form

pytestmark = pytest.mark.django_db


def test_the_form_refuses_a_date_before_2000_and_keeps_the_description(client, world):
    client.force_login(world.staff_a)

    response = client.post(ADD, add_form(world, occurred_at_0="0001-01-01", occurred_at_1="00:00"))

    assert response.status_code == 200
    assert "occurred_at" in response.context["adminform"].form.errors
    assert "3栋楼顶新搭彩钢棚。" in response.content.decode()
    assert not Incident.objects.exists()
    assert client.get(LIST).status_code == 200


def test_the_service_refuses_a_date_before_2000(world):
    with pytest.raises(MoveRefused):
        incident_record(
            estate=world.a_estate,
            category="pollution",
            occurred_at=timezone.make_aware(datetime(1, 1, 1)) + timedelta(hours=8),
            description="油烟",
            by=world.staff_a,
        )
    assert not Incident.objects.exists()


def test_the_first_day_of_2000_is_accepted(client, world):
    client.force_login(world.staff_a)

    client.post(ADD, add_form(world, occurred_at_0="2000-01-01", occurred_at_1="00:00"))

    assert Incident.objects.count() == 1
