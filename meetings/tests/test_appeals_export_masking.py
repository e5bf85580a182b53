"""The appeals export never carries a resident's name or phone: the CSV and the XLSX hold
the masked forms (139****5678, 张*), masked by the database, and no byte of the real ones.
An erased contact stays empty."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.dashboard_choice import ReportPeriod
from meetings.exports import appeals_export
from meetings.retention import appeals_anonymise_closed

from .export_helpers import by_code, csv_rows, csv_url, xlsx_rows, xlsx_text, xlsx_url

NAME, PHONE = "张阿姨", "13912345678"


@pytest.fixture
def filed(new_appeal):
    return new_appeal(contact_name=NAME, contact_phone=PHONE)


def _cells(rows, appeal):
    row = by_code(rows)[appeal.display_code]
    return row["联系人（已遮盖）"], row["手机号（已遮盖）"]


def test_the_csv_has_the_masked_forms_and_not_a_byte_of_the_real_ones(client, world, filed):
    client.force_login(world.staff_a)
    response = client.get(csv_url())
    assert response.status_code == 200
    raw = b"".join(response.streaming_content)
    for secret in (PHONE, NAME, "阿姨", "12345678"):
        assert secret.encode() not in raw
    assert b"139****5678" in raw and "张*".encode() in raw


def test_the_xlsx_has_the_masked_forms_and_not_a_byte_of_the_real_ones(client, world, filed):
    client.force_login(world.staff_a)
    response = client.get(xlsx_url())
    assert response.status_code == 200
    text = xlsx_text(response)
    for secret in (PHONE, NAME, "阿姨", "12345678"):
        assert secret not in text
    assert _cells(xlsx_rows(response), filed) == ("张*", "139****5678")


def test_masked_columns_of_the_csv(client, world, new_appeal):
    one = new_appeal(contact_name="欧阳娜娜", contact_phone="13800001234")
    none = new_appeal(contact_name="", contact_phone="")
    client.force_login(world.staff_a)
    rows = csv_rows(client.get(csv_url()))
    # the name's length is not told either
    assert _cells(rows, one) == ("欧*", "138****1234")
    assert _cells(rows, none) == ("", "")


def test_the_rows_leave_the_database_masked(world, filed):
    """What Python receives from the query is already masked."""
    year = ReportPeriod.year(timezone.localdate().year)
    export = appeals_export(user=world.staff_a, start_at=year.start_at, end_at=year.end_at)
    (row,) = list(export.rows)
    assert PHONE not in row and NAME not in row
    assert "139****5678" in row and "张*" in row


def test_an_erased_contact_stays_empty(client, world, appeal_in):
    appeal = appeal_in("closed", contact_name=NAME, contact_phone=PHONE)
    appeals_anonymise_closed(now=timezone.now() + timedelta(days=5 * 366))
    client.force_login(world.staff_a)
    assert _cells(csv_rows(client.get(csv_url())), appeal) == ("", "")
