"""A client system files a request through Open311 and reads it back by the code it was
given, at once. Open311's reads go to the replica, and a client keeps no cookie that would
keep it on the primary after its write: a replica that has not replayed the filing yet must
not answer "no such request". The look-up by code asks the primary when the replica has
fewer rows than codes asked for, and only then. The lag is real: the replica's replay is
paused while the primary takes the appeal."""

import json

import pytest

from governance.replica import replica_state_forget

from .dashboard_helpers import filed
from .replica_helpers import REPLICA_TESTS, served
from .yearend_helpers import local

pytestmark = REPLICA_TESTS


@pytest.fixture
def earlier(world, category, replica):
    """An appeal the replica has replayed."""
    appeal = filed(world, category, local(2025, 3, 3))
    replica.caught_up()
    return appeal


@pytest.fixture
def just_filed(world, category, replica, earlier, settings):
    """One more, on the primary only: the replica has received it but not replayed it; its
    lag is within the limit, so it is still read."""
    settings.REPLICA_MAX_LAG_SECONDS = 3600
    replica.pause()
    appeal = filed(world, category, local(2025, 3, 4))
    replica.received()
    replica_state_forget()
    yield appeal
    replica.resume()
    replica.caught_up()


def _codes(page) -> list[str]:
    return [row["service_request_id"] for row in json.loads(page.body)]


def test_a_request_filed_a_moment_ago_is_found_by_its_code(client, just_filed):
    page = served(client, f"/open311/v2/requests/{just_filed.code}.json")
    assert page.status == 200, page.body[:300]
    assert _codes(page) == [just_filed.display_code]
    assert page.replica, "the replica was asked first"
    assert page.primary, "the primary answered what the replica did not have yet"


def test_a_list_by_codes_with_one_just_filed_has_both(client, earlier, just_filed):
    codes = f"{earlier.code},{just_filed.code}"
    page = served(client, "/open311/v2/requests.json", {"service_request_id": codes})
    assert page.status == 200, page.body[:300]
    assert set(_codes(page)) == {earlier.display_code, just_filed.display_code}


def test_a_code_the_replica_has_is_not_asked_again_on_the_primary(client, earlier, just_filed):
    page = served(client, f"/open311/v2/requests/{earlier.code}.json")
    assert _codes(page) == [earlier.display_code]
    assert page.replica and page.primary == []
