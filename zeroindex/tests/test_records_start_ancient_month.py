"""A records start in year 1 (typed as 0001-01) is refused with a message and what was typed
kept: stored, it made the public scoreboard and the dashboard answer with a server error (the
streak, counted back month by month, ran past year 1). The service refuses it too."""

from datetime import date

import pytest

from meetings.moves import MoveRefused
from zeroindex.models import RecordsStart
from zeroindex.services import records_start_set

STARTS = "/admin/zeroindex/recordsstart/"

pytestmark = pytest.mark.django_db


def test_a_month_before_2000_is_refused_and_kept(client, world):
    client.force_login(world.staff_a)

    page = client.post(f"{STARTS}add/", {"estate": world.a_estate.pk, "month": "0001-01"})

    assert page.status_code == 200
    assert "month" in page.context["adminform"].form.errors
    assert 'value="0001-01"' in page.content.decode()
    assert not RecordsStart.objects.exists()
    assert client.get("/scoreboard/").status_code == 200


def test_the_service_refuses_a_month_before_2000(world):
    with pytest.raises(MoveRefused):
        records_start_set(estate=world.a_estate, month=date(1, 1, 1))
    assert not RecordsStart.objects.exists()


def test_january_2000_is_a_start(world, client):
    records_start_set(estate=world.a_estate, month=date(2000, 1, 1))

    assert client.get("/scoreboard/").status_code == 200
