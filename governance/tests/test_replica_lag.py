"""A replica that lags more than REPLICA_MAX_LAG_SECONDS is left alone: the heavy reads go
to the primary, whose figures are current, and /healthz says "lagging" with the lag in
seconds (still 200: the site serves). Within the limit the replica is read, its figures a
little behind. The lag is real: the replica's replay is paused (pg_wal_replay_pause) while
the primary takes a new appeal."""

import json

import pytest

from governance.replica import replica_state_forget

from .dashboard_helpers import figure, filed, in_english, march
from .replica_helpers import REPLICA_TESTS, served
from .yearend_helpers import local

pytestmark = REPLICA_TESTS
MARCH = {"period": "2025-03"}


@pytest.fixture
def behind(world, category, replica, client):
    """The town's 7 March appeals replayed; an 8th on the primary that the replica has
    received but not replayed."""
    march(world, category)
    in_english(client).force_login(world.town_user)
    replica.caught_up()
    replica.pause()
    filed(world, category, local(2025, 3, 20))
    replica.received()
    replica_state_forget()
    return replica


def test_a_replica_lagging_beyond_the_limit_is_left_alone(client, behind, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 0  # any lag is too much
    page = served(client, "/dashboard/", MARCH)
    assert figure(page.body, "received") == "8"  # the primary's: current
    assert page.replica == []

    health = client.get("/healthz")
    assert health.status_code == 200
    replica = json.loads(health.content)["replica"]
    assert replica["state"] == "lagging" and replica["lag_seconds"] > 0

    behind.resume()
    behind.caught_up()
    replica_state_forget()
    assert served(client, "/dashboard/", MARCH).replica
    assert json.loads(client.get("/healthz").content)["replica"] == {
        "state": "ok",
        "lag_seconds": 0.0,
    }


def test_a_replica_lagging_within_the_limit_is_read(client, behind, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 3600
    page = served(client, "/dashboard/", MARCH)
    assert figure(page.body, "received") == "7"  # the replica's, not yet the 8th
    assert page.replica
    assert json.loads(client.get("/healthz").content)["replica"]["state"] == "ok"
