"""With a read replica (a real one, streaming from the test run's PostgreSQL), the heavy reads
run there: the committee's dashboard, its tables, report and appeals export, the public
scoreboard and annual reports, and Open311's reads; the primary answers only who the user
is. Every other page reads the primary and never touches the replica."""

import pytest

from .dashboard_helpers import figure, filed, in_english, march
from .replica_helpers import REPLICA_TESTS, served
from .yearend_helpers import local

pytestmark = REPLICA_TESTS
MARCH = {"period": "2025-03"}


@pytest.fixture
def town(world, category, replica, client):
    march(world, category)  # the town: 7 appeals in March 2025 (A 6, B 1)
    in_english(client).force_login(world.town_user)
    replica.caught_up()
    return world


def test_the_dashboard_is_read_on_the_replica(client, town):
    page = served(client, "/dashboard/", MARCH)
    assert page.status == 200
    assert figure(page.body, "received") == "7"
    # its figures came from the replica's roll-ups; the primary only said who is asking
    assert any("meetings_appealday" in sql or "meetings_appealmonth" in sql for sql in page.replica)
    assert page.primary and page.only_who_on_primary(), page.primary


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/table/headline.csv",
        "/dashboard/report/",
        "/dashboard/zeros/",
        "/dashboard/exports/appeals.csv",
        "/dashboard/exports/appeals.xlsx",
    ],
)
def test_the_dashboards_downloads_and_pages_are_read_on_the_replica(client, town, path):
    page = served(client, path, MARCH)
    assert page.status == 200, page.body[:500]
    assert page.replica, "nothing was read on the replica"
    assert page.only_who_on_primary(), page.primary


def test_the_appeals_export_streams_from_a_cursor_on_the_replica(client, town):
    export = served(client, "/dashboard/exports/appeals.csv", MARCH)
    assert export.body.count("\n") == 1 + 7  # the header and the town's March appeals
    # in a transaction of its own on the replica: not WITH HOLD, which computes every row
    # before the first is sent
    (declare,) = [sql for sql in export.replica if sql.startswith("DECLARE")]
    assert "WITH HOLD" not in declare
    assert not any("DECLARE" in sql for sql in export.primary)


@pytest.fixture
def filed_appeal(world, category, replica):
    appeal = filed(world, category, local(2025, 3, 3))
    replica.caught_up()
    return appeal


@pytest.mark.parametrize(
    "path",
    ["/scoreboard/", "/reports/", "/open311/v2/services.json", "/open311/v2/requests/{code}.json"],
)
def test_the_public_boards_and_open311_reads_are_read_on_the_replica(client, filed_appeal, path):
    page = served(client, path.format(code=filed_appeal.code))
    assert page.status == 200, page.body[:500]
    assert page.replica and page.primary == []
    if "{code}" in path:
        assert filed_appeal.display_code in page.body  # filed a moment ago, replayed there


@pytest.mark.parametrize("path", ["/appeals/new/", "/admin/meetings/appeal/"])
def test_other_pages_read_the_primary_only(client, town, path):
    page = served(client, path)
    assert page.status == 200
    assert page.primary and page.replica == []
