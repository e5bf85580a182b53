"""A browser that has just written reads the primary, so it sees what it wrote: for
REPLICA_STICKY_SECONDS after any write (a POST, here the log-in), and beyond that for as
long as the replica has not replayed the write. Another browser meanwhile reads the
replica."""

import pytest
from django.test import Client

from governance.db_router import WROTE_COOKIE
from governance.replica import replica_state_forget

from .dashboard_helpers import figure, in_english, march
from .replica_helpers import REPLICA_TESTS, served

pytestmark = REPLICA_TESTS
MARCH = {"period": "2025-03"}
PASSWORD = "pw-for-replica-tests"


@pytest.fixture
def town(world, category, replica):
    march(world, category)
    world.town_user.set_password(PASSWORD)
    world.town_user.save()
    return world


def logged_in(world) -> Client:
    """A browser that logs in through the form: a write (the session, the last log-in)."""
    browser = in_english(Client())
    answer = browser.post(
        "/accounts/login/", {"username": world.town_user.username, "password": PASSWORD}
    )
    assert answer.status_code == 302
    assert WROTE_COOKIE in answer.cookies  # the time of the write, signed
    return browser


def test_a_browser_that_just_wrote_reads_the_primary(town, replica, settings):
    settings.REPLICA_STICKY_SECONDS = 3600  # "just": whatever the machine's pace
    writer = logged_in(town)
    other = in_english(Client())
    other.force_login(town.staff_a)  # logged in without writing from that browser
    replica.caught_up()  # the replica has it all: only the window keeps the writer away

    page = served(writer, "/dashboard/", MARCH)
    assert figure(page.body, "received") == "7"
    assert page.replica == []
    assert any("meetings_appealmonth" in s or "meetings_appealday" in s for s in page.primary)

    assert served(other, "/dashboard/", MARCH).replica


def test_after_the_window_the_browser_reads_the_replica_again(town, replica, settings):
    settings.REPLICA_STICKY_SECONDS = 3600
    writer = logged_in(town)
    replica.caught_up()
    assert served(writer, "/dashboard/", MARCH).replica == []
    settings.REPLICA_STICKY_SECONDS = 0  # the window is over
    replica_state_forget()  # checked after the write, which it has replayed
    page = served(writer, "/dashboard/", MARCH)
    assert page.replica and page.only_who_on_primary()


def test_a_browser_reads_the_primary_until_the_replica_has_replayed_its_write(
    town, replica, settings
):
    settings.REPLICA_STICKY_SECONDS = 0  # no window: only the replay decides
    settings.REPLICA_MAX_LAG_SECONDS = 3600  # behind, but not too far for the others
    other = in_english(Client())
    other.force_login(town.staff_a)
    replica.caught_up()
    replica.pause()
    writer = logged_in(town)
    replica.received()  # the write has reached the replica, which does not replay it
    replica_state_forget()

    page = served(writer, "/dashboard/", MARCH)
    assert page.status == 200 and page.replica == []
    assert served(other, "/dashboard/", MARCH).replica  # its own writes are all there

    replica.resume()
    replica.caught_up()
    replica_state_forget()
    assert served(writer, "/dashboard/", MARCH).replica


def test_a_post_that_reads_the_replica_paths_still_writes_on_the_primary(town, replica):
    """Only GET and HEAD read the replica: a POST under /open311/v2/ (or any other) runs
    on the primary and leaves the write's cookie."""
    browser = in_english(Client())
    answer = served(browser, "/open311/v2/requests.json", {"api_key": "nope"}, method="post")
    assert answer.replica == []
    assert WROTE_COOKIE in answer.cookies
