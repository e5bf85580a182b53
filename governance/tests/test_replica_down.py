"""The site keeps working when the replica stops: the heavy reads go back to the primary at
once (a kept connection that no longer answers counts as the replica down), /healthz says
the replica is down, and once it is back the reads return to it after the next check, not
before: a replica that is down is asked once per check, never on every request."""

import json

import pytest

from governance.replica import replica_state_forget

from .dashboard_helpers import figure, in_english, march
from .replica_helpers import REPLICA_TESTS, served

pytestmark = REPLICA_TESTS
MARCH = {"period": "2025-03"}


@pytest.fixture
def town(world, category, replica, client, settings):
    settings.REPLICA_CHECK_SECONDS = 3600  # the next check is when the test says
    march(world, category)
    in_english(client).force_login(world.town_user)
    replica.caught_up()
    return world


def test_the_dashboard_keeps_working_when_the_replica_stops(client, town, replica):
    assert served(client, "/dashboard/", MARCH).replica  # it was read there
    replica.stop()
    try:
        page = served(client, "/dashboard/", MARCH, watch_replica=False)
        assert page.status == 200
        assert figure(page.body, "received") == "7"
        assert any("meetings_appealmonth" in s or "meetings_appealday" in s for s in page.primary)

        health = client.get("/healthz")
        assert health.status_code == 200  # the site serves: the load balancer keeps it
        assert json.loads(health.content)["replica"] == {"state": "down", "lag_seconds": None}
    finally:
        replica.start()
    replica_state_forget()  # the next check
    assert served(client, "/dashboard/", MARCH).replica


def test_a_replica_found_down_is_not_asked_again_until_the_next_check(client, town, replica):
    replica.stop()
    try:
        assert served(client, "/dashboard/", MARCH, watch_replica=False).status == 200
    finally:
        replica.start()
    replica.caught_up()
    # back, but this process found it down and does not ask again before the next check
    page = served(client, "/dashboard/", MARCH)
    assert page.status == 200 and page.replica == []
    replica_state_forget()
    assert served(client, "/dashboard/", MARCH).replica
