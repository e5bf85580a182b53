"""The staff home is a work queue: for the user's scope, how many appeals are new, waiting to
be routed, overdue, due a return visit, solved but dissatisfied, and handled by the user;
each count links to the list of exactly those appeals; the page runs the same number of
queries however many appeals there are."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.queries import work_queue
from meetings.services import (
    appeal_acknowledge,
    appeal_reassign,
    appeal_record_return_visit,
    appeal_report_fix,
    appeal_route,
)


def queue_counts(html: str) -> dict:
    """{queue: "3"} as the page shows them."""
    return dict(
        re.findall(
            r'id="queue-(\w+)">\s*<a href="[^"]*\?queue=\1">\s*'
            r'<span class="work-queue-count">([0-9+]+)</span>',
            html,
        )
    )


def listed_codes(client, queue) -> set:
    html = client.get(reverse("admin:meetings_appeal_changelist"), {"queue": queue})
    return set(re.findall(r'class="font-monospace">(\w{4}-\w{4})<', html.content.decode()))


@pytest.fixture
def queues(world, new_appeal, appeal_in):
    """A's appeals, one or more in each queue, and B's, in every queue too."""
    now = timezone.now()
    a = {
        "new": new_appeal(title="新诉求"),
        "acknowledged": new_appeal(title="已受理待分流"),
        "late": new_appeal(title="逾期", at=now - timedelta(days=20)),
        "mine": new_appeal(title="我经办"),
        "visit": new_appeal(title="待回访"),
        "unhappy": appeal_in("in_progress", title="不满意"),
    }
    appeal_acknowledge(appeal=a["acknowledged"], by=world.staff_a)
    appeal_route(appeal=a["mine"], to="handle", by=world.secretary_a1)
    appeal_reassign(appeal=a["mine"], by=world.staff_a, handler=world.staff_a)
    appeal_route(appeal=a["visit"], to="handle", by=world.secretary_a1)
    appeal_report_fix(
        appeal=a["visit"], by=world.secretary_a1, public_note="已修", at=now - timedelta(days=3)
    )
    appeal_report_fix(appeal=a["unhappy"], by=world.staff_a, public_note="已修")
    appeal_record_return_visit(
        appeal=a["unhappy"],
        by=world.staff_a,
        channel="phone",
        reached=True,
        solved=True,
        satisfaction="dissatisfied",
    )
    b_estate = {"estate": world.b_estate, "building": world.b_building}
    new_appeal(title="B的新诉求", **b_estate)
    new_appeal(title="B的逾期", at=now - timedelta(days=20), **b_estate)
    return a


EXPECTED = {
    # open and never acknowledged (mine and visit were routed without it)
    "new": {"new", "late", "mine", "visit"},
    "to_route": {"new", "acknowledged", "late"},
    "overdue": {"late"},  # the visit, late a moment ago, is in its own queue
    "visits_due": {"visit"},
    "dissatisfied": {"unhappy"},
    "mine": {"mine"},
}


def test_each_count_is_the_list_it_links_to(client, world, queues):
    client.force_login(world.staff_a)
    html = client.get(reverse("admin:index")).content.decode()
    counts = queue_counts(html)
    assert set(counts) == set(EXPECTED)
    for queue, keys in EXPECTED.items():
        codes = {queues[k].display_code for k in keys}
        assert counts[queue] == str(len(codes)), queue
        assert listed_codes(client, queue) == codes, queue


def test_the_queue_is_the_users_scope(client, world, queues):
    client.force_login(world.staff_b)
    counts = queue_counts(client.get(reverse("admin:index")).content.decode())
    assert counts["new"] == "2" and counts["overdue"] == "1" and counts["mine"] == "0"
    client.force_login(world.secretary_a1)  # an estate: all of A's appeals are in a_estate
    assert queue_counts(client.get(reverse("admin:index")).content.decode())["to_route"] == "3"


def test_the_home_page_runs_the_same_queries_with_more_appeals(client, world, new_appeal):
    client.force_login(world.staff_a)
    url = reverse("admin:index")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    new_appeal()
    count()
    few = count()
    for i in range(15):
        new_appeal(title=f"诉求{i}", at=timezone.now() - timedelta(days=i * 3))
    assert count() == few


def test_counts_stop_at_the_cap_and_say_more(world, new_appeal):
    for i in range(4):
        new_appeal(title=f"诉求{i}")
    new = {q.queue: q for q in work_queue(user=world.staff_a, cap=3)}["new"]
    assert (new.count, new.more) == (3, True)
