"""One answer to "what may this user do with this appeal now, and why not the rest": the
services' checks. The appeal page and the meeting page offer exactly what it says is open,
and keep no rules of their own."""

import re

import pytest
from django.urls import reverse

from meetings.admin.actions import ACTIONS, meeting_bound
from meetings.models import MeetingType, Status
from meetings.moves import (
    RULES,
    Facts,
    Refusal,
    appeal_moves_open,
    refusal,
    resident_moves_open,
)


def offered_on_the_appeal_page(client, appeal) -> set:
    html = client.get(reverse("admin:meetings_appeal_change", args=[appeal.pk])).content.decode()
    return set(re.findall(r'id="action-(\w+)"', html))


def offered_at_the_meeting(client, m, appeal) -> set:
    html = client.get(reverse("admin:meetings_meeting_change", args=[m.pk])).content.decode()
    return set(re.findall(rf'id="outcome-{appeal.pk}-(\w+)"', html))


def open_names(answer) -> set:
    return {name for name, refused in answer.items() if refused is None}


def test_a_secretary_routes_simple_matters_directly_community_staff_at_a_meeting(world, new_appeal):
    appeal = new_appeal()
    secretary = open_names(appeal_moves_open(appeal=appeal, user=world.secretary_a1))
    staff = appeal_moves_open(appeal=appeal, user=world.staff_a)
    assert {"route_handle", "route_refer", "decline"} <= secretary
    assert not {"route_coordinate", "route_major"} & secretary  # always at a meeting
    for name in ("route_handle", "route_refer", "decline", "route_coordinate"):
        assert staff[name].kind == Refusal.NOT_ALLOWED and staff[name].needs_meeting, name
    assert {"acknowledge", "close_duplicate", "reassign", "extend_due", "agenda"} <= open_names(
        staff
    )
    # withdrawing is the resident's alone, on the tracking page
    assert staff["withdraw"].kind == Refusal.NOT_ALLOWED
    assert open_names(appeal_moves_open(appeal=appeal, user=world.superuser)) >= {"acknowledge"}
    assert appeal_moves_open(appeal=appeal, user=world.superuser)["withdraw"] is not None


def test_every_refusal_says_why(world, new_appeal):
    appeal = new_appeal()
    for user in (world.staff_a, world.secretary_a1, world.town_user, world.staff_b):
        for name, refused in appeal_moves_open(appeal=appeal, user=user).items():
            assert refused is None or refused.message.strip(), (user, name)


@pytest.mark.parametrize(
    ("persona", "kind"), [("town_user", Refusal.NOT_ALLOWED), ("staff_b", Refusal.NOT_FOUND)]
)
def test_readers_and_outsiders_may_make_none(world, new_appeal, persona, kind):
    answer = appeal_moves_open(appeal=new_appeal(), user=getattr(world, persona))
    assert {refused.kind for refused in answer.values()} == {kind}


@pytest.mark.parametrize("status", [s for s in Status.values if s != Status.CLOSED])
@pytest.mark.parametrize("persona", ["staff_a", "secretary_a1", "town_user"])
def test_the_appeal_page_offers_exactly_what_is_open(client, world, appeal_in, status, persona):
    appeal = appeal_in(status)
    user = getattr(world, persona)
    client.force_login(user)
    expected = open_names(appeal_moves_open(appeal=appeal, user=user)) & set(ACTIONS)
    assert offered_on_the_appeal_page(client, appeal) == expected


@pytest.mark.parametrize(
    ("type_", "status", "outcomes"),
    [
        (
            MeetingType.PARTY_MASSES,
            Status.RECEIVED,
            {"route_handle", "route_coordinate", "route_major", "route_refer", "decline"},
        ),
        (
            MeetingType.COORDINATION,
            Status.COORDINATING,
            {"coordination_agreed", "coordination_major", "coordination_refer", "decline"},
        ),
        (MeetingType.HEARING, Status.HEARING, {"hearing_vote"}),
        (MeetingType.HEARING, Status.RECEIVED, set()),
        (MeetingType.PARTY_MASSES, Status.IN_PROGRESS, set()),
    ],
)
def test_a_meeting_offers_the_outcomes_open_at_it(
    client, world, appeal_in, meeting, type_, status, outcomes
):
    appeal = appeal_in(status)
    m = meeting(type_, appeal)
    client.force_login(world.staff_a)
    answer = appeal_moves_open(appeal=appeal, user=world.staff_a, meeting=m)
    assert {n for n in open_names(answer) & set(ACTIONS) if meeting_bound(n)} == outcomes
    assert offered_at_the_meeting(client, m, appeal) == outcomes


def test_the_town_committee_is_offered_no_outcome(client, world, new_appeal, meeting):
    appeal = new_appeal()
    m = meeting(MeetingType.PARTY_MASSES, appeal)
    client.force_login(world.town_user)
    assert offered_at_the_meeting(client, m, appeal) == set()


def test_the_table_of_actions_names_only_rules():
    assert set(ACTIONS) <= set(RULES)


@pytest.mark.parametrize("status", Status.values)
def test_a_resident_withdraws_an_open_appeal_and_answers_a_fixed_one_and_nothing_else(
    appeal_in, status
):
    appeal = appeal_in(status)
    open_to_resident = {
        name for name in RULES if refusal(name, appeal, Facts(), by_resident=True) is None
    }
    expected = set()
    if status != Status.CLOSED:
        expected.add("withdraw")
    if status == Status.RESOLVED:
        expected |= {"return_visit", "visit_solved", "visit_not_solved"}
    assert open_to_resident == expected
    assert open_names(resident_moves_open(appeal=appeal)) == expected & {"withdraw", "return_visit"}
