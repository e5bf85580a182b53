"""The CSV export streams: a StreamingHttpResponse whose rows come from one query (a
server-side cursor on PostgreSQL), so its queries do not grow with its rows; UTF-8 with a
BOM; and a cell a town typed that starts like a formula is written as text."""

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from meetings.models import AppealCategory

from .export_helpers import body, by_code, csv_rows, csv_url, xlsx_url


def _queries_for_an_export(client, user) -> tuple[int, int]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(csv_url())
        assert isinstance(response, StreamingHttpResponse)
        rows = csv_rows(response)
    return len(queries), len(rows) - 1


@pytest.mark.parametrize("user", ["staff_a", "town_user"])
def test_the_queries_do_not_grow_with_the_rows(client, world, new_appeal, user):
    new_appeal()
    few = _queries_for_an_export(client, getattr(world, user))
    for _ in range(11):
        new_appeal()
    many = _queries_for_an_export(client, getattr(world, user))
    assert (few[1], many[1]) == (1, 12)
    assert many[0] == few[0]
    # session, user, scope, the unit and its places, the rows (PostgreSQL adds savepoints)
    assert few[0] <= 12


def test_the_file_is_utf8_with_a_bom_and_named_for_its_unit_and_period(client, world, new_appeal):
    new_appeal()
    client.force_login(world.staff_a)
    response = client.get(csv_url(period="2026-Q4", unit=f"estate-{world.a_estate.pk}"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="appeals-estate-{world.a_estate.pk}-2026-Q4.csv"'
    )
    first = next(iter(response.streaming_content))
    assert first.startswith(b"\xef\xbb\xbf")


def test_a_name_that_starts_like_a_formula_is_written_as_text(client, world, new_appeal):
    category = AppealCategory.objects.create(name="=HYPERLINK(1)")
    appeal = new_appeal(category=category, contact_name="+张三")
    world.a_estate.name = "-新都城"
    world.a_estate.save()
    client.force_login(world.staff_a)
    row = by_code(csv_rows(client.get(csv_url())))[appeal.display_code]
    assert (row["类别"], row["小区"], row["联系人（已遮盖）"]) == (
        "'=HYPERLINK(1)",
        "'-新都城",
        "'+*",
    )


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_cursor_fetches_as_the_file_is_sent(client, world, new_appeal):
    """Outside a transaction Django declares the cursor WITH HOLD, and PostgreSQL computes
    every row before the first is sent; the request's transaction has ended by then, so the
    stream opens one of its own."""
    if connection.vendor != "postgresql":
        pytest.skip("server-side cursors are PostgreSQL's")
    new_appeal()
    client.force_login(world.staff_a)
    with CaptureQueriesContext(connection) as queries:
        assert len(csv_rows(client.get(csv_url()))) == 2
    (declare,) = [q["sql"] for q in queries if q["sql"].startswith("DECLARE")]
    assert "WITH HOLD" not in declare


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", [csv_url, xlsx_url])
def test_on_postgresql_the_export_may_run_longer_than_a_page(
    client, world, new_appeal, settings, url
):
    """Its first fetch sorts every row asked for: EXPORT_STATEMENT_TIMEOUT, set for its own
    transaction only, before the rows are read."""
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's")
    settings.EXPORT_STATEMENT_TIMEOUT = 123_456
    new_appeal()
    client.force_login(world.staff_a)
    with CaptureQueriesContext(connection) as queries:
        body(client.get(url()))
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            after = cursor.fetchone()[0]
    sql = [q["sql"] for q in queries]
    setting = [
        i for i, s in enumerate(sql) if "set_config('statement_timeout', '123456', true)" in s
    ]
    reading = [i for i, s in enumerate(sql) if '"x_code"' in s]
    assert setting and reading and setting[0] < reading[0]
    assert after != "123456ms"  # gone with the export's transaction
