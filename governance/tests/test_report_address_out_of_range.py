"""A report's address with an estate number too large for the database is simply not found
(SQLite, the embedded default, cannot even compare it: it was a 500)."""

import pytest

from .report_helpers import YEAR

HUGE = "9" * 23  # beyond a 64-bit integer


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", ["", "report.pdf"])
def test_an_estate_number_beyond_the_database_is_not_found(client, world, suffix):
    assert client.get(f"/reports/{YEAR}/{HUGE}/{suffix}").status_code == 404
    assert client.get(f"/reports/{YEAR}/9223372036854775808/{suffix}").status_code == 404
