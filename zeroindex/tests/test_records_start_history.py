"""Moving an estate's records start re-labels past months as known or unknown: each setting
leaves a trace (from which month to which, by whom), shown on the estate's records-start page."""

from datetime import date

import pytest
from django.urls import reverse

from zeroindex.models import RecordsStartChange
from zeroindex.services import records_start_set

pytestmark = pytest.mark.django_db


def test_each_setting_records_from_which_month_to_which_and_by_whom(world):
    records_start_set(estate=world.a_estate, month=date(2025, 7, 1), by=world.staff_a)
    records_start_set(estate=world.a_estate, month=date(2025, 1, 15), by=world.staff_a)
    records_start_set(estate=world.a_estate, month=date(2025, 1, 1), by=world.staff_a)  # same
    changes = list(
        RecordsStartChange.objects.filter(estate=world.a_estate).values_list(
            "from_month", "to_month", "actor"
        )
    )
    assert changes == [
        (None, date(2025, 7, 1), world.staff_a.pk),
        (date(2025, 7, 1), date(2025, 1, 1), world.staff_a.pk),
    ]


def test_the_records_start_page_shows_its_history(client, world):
    start = records_start_set(estate=world.a_estate, month=date(2025, 7, 1), by=world.staff_a)
    records_start_set(estate=world.a_estate, month=date(2025, 3, 1), by=world.staff_a)
    client.force_login(world.staff_a)
    page = client.get(reverse("admin:zeroindex_recordsstart_change", args=[start.pk]))
    text = page.content.decode()
    assert "— → 2025-07" in text
    assert "2025-07 → 2025-03 · guangda" in text
