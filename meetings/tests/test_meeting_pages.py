"""The meeting pages: a forum registers many appeals at once; each other meeting lists its
agenda with the outcomes it may record; a meeting closes only with minutes and a head count."""

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Appeal, Meeting, MeetingType, Status
from meetings.services import appeal_record_return_visit, appeal_report_fix, appeal_route


def page_of(m):
    return reverse("admin:meetings_meeting_change", args=[m.pk])


def outcome(client, m, appeal, name, **fields):
    """Record the outcome `name` (a move, or the hearing's vote) with its form's fields."""
    prefix = f"o{appeal.pk}-{name}"
    data = {"appeal": appeal.pk, "outcome": name}
    data.update({f"{prefix}-{field}": value for field, value in fields.items()})
    return client.post(reverse("admin:meetings_meeting_outcome", args=[m.pk]), data, follow=True)


def test_staff_create_a_meeting_in_their_community_only(client, world):
    client.force_login(world.staff_a)
    data = {
        "type": "party_masses",
        "community": world.a.pk,
        "estate": world.a_estate.pk,
        "held_at_0": "2026-11-20",
        "held_at_1": "19:00",
        "place": "党群服务站",
        "chair": "李书记",
        "resident_representatives": "",
        "minutes": "",
    }
    assert client.post(reverse("admin:meetings_meeting_add"), data).status_code == 302
    refused = client.post(
        reverse("admin:meetings_meeting_add"), {**data, "community": world.b.pk, "estate": ""}
    )
    assert refused.status_code == 200
    assert Meeting.objects.count() == 1


def test_a_forum_registers_many_appeals_at_once(client, world, meeting, category):
    forum = meeting(MeetingType.FORUM)
    client.force_login(world.staff_a)
    html = client.get(page_of(forum)).content.decode()
    assert 'id="forum-form"' in html
    rows = {
        "forum-TOTAL_FORMS": "6",
        "forum-INITIAL_FORMS": "0",
        "forum-MIN_NUM_FORMS": "0",
        "forum-MAX_NUM_FORMS": "50",
        "forum-0-title": "垃圾站异味",
        "forum-0-category": category.pk,
        "forum-0-contact_name": "刘阿姨",
        "forum-0-contact_phone": "13700000001",
        "forum-1-title": "电动车充电难",
        "forum-1-category": category.pk,
        "forum-1-building": world.a_building.pk,
        "forum-2-title": "健身器材损坏",
        "forum-2-category": category.pk,
    }
    response = client.post(reverse("admin:meetings_meeting_forum", args=[forum.pk]), rows)
    assert response.status_code == 302
    appeals = Appeal.objects.order_by("pk")
    assert [a.title for a in appeals] == ["垃圾站异味", "电动车充电难", "健身器材损坏"]
    assert all(a.source == "forum" and a.estate == world.a_estate for a in appeals)
    assert set(forum.agenda.all()) == set(appeals)
    html = client.get(page_of(forum)).content.decode()
    assert all(a.display_code in html for a in appeals)


def test_a_forum_line_with_a_mistake_registers_nothing_and_keeps_the_lines(
    client, world, meeting, category
):
    forum = meeting(MeetingType.FORUM)
    client.force_login(world.staff_a)
    rows = {
        "forum-TOTAL_FORMS": "2",
        "forum-INITIAL_FORMS": "0",
        "forum-0-title": "垃圾站异味",
        "forum-0-category": category.pk,
        "forum-1-title": "手机号写错的一行",
        "forum-1-category": category.pk,
        "forum-1-contact_phone": "123",
    }
    response = client.post(reverse("admin:meetings_meeting_forum", args=[forum.pk]), rows)
    html = response.content.decode()
    assert response.status_code == 200
    assert "手机号写错的一行" in html and "垃圾站异味" in html
    assert not Appeal.objects.exists()


def test_party_masses_meeting_routes_its_agenda(client, world, new_appeal, meeting, department):
    one, two, three = new_appeal(title="一"), new_appeal(title="二"), new_appeal(title="三")
    m = meeting(MeetingType.PARTY_MASSES, one, two, three)
    client.force_login(world.staff_a)
    html = client.get(page_of(m)).content.decode()
    assert 'id="agenda"' in html and 'value="route_coordinate"' in html
    outcome(client, m, one, "route_coordinate", public_note="由协调会与物业协商")
    outcome(client, m, two, "route_refer", department=department.pk)
    response = outcome(client, m, three, "decline", reason="")
    assert "errorlist" in response.content.decode() or "error" in response.content.decode()
    for appeal in (one, two, three):
        appeal.refresh_from_db()
    assert one.status == Status.COORDINATING
    assert (two.status, two.department) == (Status.REFERRED, department)
    assert three.status == Status.RECEIVED  # a decline needs its reason


def test_coordination_meeting_records_agreement(client, world, appeal_in, meeting):
    appeal = appeal_in(Status.COORDINATING)
    m = meeting(MeetingType.COORDINATION, appeal)
    client.force_login(world.staff_a)
    outcome(client, m, appeal, "coordination_agreed", public_note="物业同意本周内维修")
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS


def test_hearing_records_the_vote_and_the_rule_decides(client, world, appeal_in, meeting):
    appeal = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, appeal)
    client.force_login(world.staff_a)
    response = outcome(
        client,
        m,
        appeal,
        "hearing_vote",
        eligible=45,
        present=31,
        votes_for=25,
        votes_against=4,
        abstain=2,
        public_note="垃圾分类站选址方案表决通过",
    )
    assert response.status_code == 200
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS
    html = client.get(f"/appeals/track/{appeal.display_code}/").content.decode()
    assert "垃圾分类站选址方案表决通过" in html and "31" in html


def test_a_missing_vote_count_is_a_message(client, world, appeal_in, meeting):
    appeal = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, appeal)
    client.force_login(world.staff_a)
    outcome(client, m, appeal, "vote", eligible=45, present=31)
    appeal.refresh_from_db()
    assert appeal.status == Status.HEARING


def test_closing_needs_minutes_and_a_head_count(client, world, meeting):
    m = meeting(MeetingType.PARTY_MASSES)
    client.force_login(world.staff_a)
    close = reverse("admin:meetings_meeting_close", args=[m.pk])
    client.post(close)
    m.refresh_from_db()
    assert m.closed_at is None
    Meeting.objects.filter(pk=m.pk).update(minutes="议定三件事", head_count=18)
    client.post(close)
    m.refresh_from_db()
    assert m.closed_at is not None
    html = client.get(page_of(m)).content.decode()
    assert 'name="_save"' not in html  # a closed meeting is read-only


def test_agenda_additions_from_the_meeting_page(client, world, new_appeal, meeting):
    appeal = new_appeal()
    outsider = new_appeal(estate=world.b_estate, building=None)
    m = meeting(MeetingType.PARTY_MASSES)
    client.force_login(world.staff_a)
    client.post(
        reverse("admin:meetings_meeting_agenda", args=[m.pk]),
        {"appeals": [appeal.pk, outsider.pk]},
    )
    assert list(m.agenda.all()) == [appeal]


def test_dissatisfied_solved_appeals_are_listed_for_the_next_party_masses_meeting(
    client, world, new_appeal, meeting
):
    appeal = new_appeal(title="不满意但已解决")
    appeal_route(appeal=appeal, to="handle", by=world.secretary_a1)
    appeal_report_fix(appeal=appeal, by=world.secretary_a1, public_note="已处理")
    appeal_record_return_visit(
        appeal=appeal,
        by=world.staff_a,
        channel="phone",
        reached=True,
        solved=True,
        satisfaction="dissatisfied",
    )
    m = meeting(MeetingType.PARTY_MASSES, held_at=timezone.now() + timezone.timedelta(days=1))
    client.force_login(world.staff_a)
    html = client.get(page_of(m)).content.decode()
    assert "不满意但已解决" in html


@pytest.mark.parametrize("view", ["change", "outcome", "close", "forum", "agenda"])
def test_another_communitys_meeting_is_not_found(client, world, view):
    m = Meeting.objects.create(type="forum", community=world.b, estate=world.b_estate)
    client.force_login(world.staff_a)
    url = reverse(f"admin:meetings_meeting_{view}", args=[m.pk])
    response = client.get(url, follow=True) if view == "change" else client.post(url, {})
    if view == "change":
        assert response.redirect_chain and "金星花园" not in response.content.decode()
    else:
        assert response.status_code == 404
