"""Without DATABASE_REPLICA_URL nothing changes (SQLite or PostgreSQL): there is no
"replica" database, the dashboard reads the primary, a write leaves no cookie, and /healthz
says the replica is not configured."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from governance.db_router import WROTE_COOKIE

from .dashboard_helpers import figure, in_english, march


def test_there_is_no_replica_and_the_dashboard_reads_the_primary(client, world, category):
    assert "replica" not in connections.settings
    march(world, category)
    in_english(client).force_login(world.town_user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/dashboard/", {"period": "2025-03"}).content.decode()
    assert figure(html, "received") == "7"
    assert any(
        "meetings_appealmonth" in q["sql"] or "meetings_appealday" in q["sql"] for q in queries
    )


@pytest.mark.parametrize("path", ["/i18n/setlang/", "/open311/v2/requests.json"])
def test_a_write_leaves_no_cookie(client, db, path):
    answer = client.post(path, {"language": "en"})
    assert WROTE_COOKIE not in answer.cookies


def test_healthz_says_the_replica_is_not_configured(client, db):
    assert client.get("/healthz").json()["replica"] == {
        "state": "not configured",
        "lag_seconds": None,
    }
