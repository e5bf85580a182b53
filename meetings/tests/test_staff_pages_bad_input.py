"""Whatever a clerk submits on the appeal and meeting pages, the answer is a page with a
message and what they typed, never an error page; and nobody acts beyond their role."""

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from meetings.models import AppealEvent, Meeting, MeetingType, Status
from meetings.services import appeal_acknowledge, appeal_close_duplicate


def act(appeal, action):
    return reverse("admin:meetings_appeal_act", args=[appeal.pk, action])


def test_a_refused_action_keeps_what_was_typed(client, world, appeal_in):
    appeal = appeal_in(Status.IN_PROGRESS)
    client.force_login(world.secretary_a1)
    response = client.post(
        act(appeal, "report_fix"),
        {"report_fix-public_note": "", "report_fix-internal_note": "找了三次物业"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "找了三次物业" in html


def test_acknowledging_twice_says_it_is_already_acknowledged(client, world, new_appeal):
    appeal = new_appeal()
    appeal_acknowledge(appeal=appeal, by=world.staff_a)
    client.force_login(world.staff_a)
    html = client.post(act(appeal, "acknowledge"), {}, follow=True).content.decode()
    assert "已经受理" in html or "already acknowledged" in html


def test_extending_more_than_a_year_is_refused(client, world, new_appeal):
    appeal = new_appeal()
    client.force_login(world.staff_a)
    client.post(
        act(appeal, "extend_due"), {"extend_due-until": "9999-12-31", "extend_due-reason": "x"}
    )
    client.post(
        act(appeal, "extend_due"), {"extend_due-until": "0001-01-01", "extend_due-reason": "x"}
    )
    assert not AppealEvent.objects.filter(appeal=appeal, kind="due_extended").exists()


def test_a_duplicates_public_note_never_shows_the_originals_code(client, world, new_appeal):
    original, copy = new_appeal(title="原"), new_appeal(title="重复")
    appeal_close_duplicate(appeal=copy, original=original, by=world.staff_a)
    html = client.get(f"/appeals/track/{copy.display_code}/").content.decode()
    assert original.display_code not in html and original.code not in html


def test_a_closed_appeal_is_no_original_for_a_duplicate(client, world, new_appeal):
    original, copy = new_appeal(title="原"), new_appeal(title="重复")
    client.force_login(world.staff_a)
    client.post(act(original, "close_duplicate"), {"close_duplicate-original": copy.display_code})
    client.post(act(copy, "close_duplicate"), {"close_duplicate-original": original.display_code})
    copy.refresh_from_db()
    assert copy.status != Status.CLOSED


def meeting_data(world, **fields):
    data = {
        "type": "party_masses",
        "community": world.a.pk,
        "estate": world.a_estate.pk,
        "held_at_0": timezone.localdate().isoformat(),
        "held_at_1": "19:00",
        "place": "服务站",
        "chair": "",
        "resident_representatives": "",
        "minutes": "",
    }
    data.update(fields)
    return data


def test_a_meeting_in_year_one_is_a_form_error(client, world):
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:meetings_meeting_add"), meeting_data(world, held_at_0="0001-01-01")
    )
    assert response.status_code == 200 and not Meeting.objects.exists()


def test_a_secretary_holds_meetings_of_its_estate_only(client, world, meeting, new_appeal):
    client.force_login(world.secretary_a1)
    response = client.post(reverse("admin:meetings_meeting_add"), meeting_data(world, estate=""))
    assert response.status_code == 200 and not Meeting.objects.exists()
    whole = Meeting.objects.create(type="party_masses", community=world.a)
    whole.agenda.add(new_appeal(estate=world.a_estate2, building=None, title="别的小区"))
    page = client.get(reverse("admin:meetings_meeting_change", args=[whole.pk]), follow=True)
    assert "别的小区" not in page.content.decode()
    assert client.post(reverse("admin:meetings_meeting_close", args=[whole.pk])).status_code == 404


def test_the_town_committee_cannot_change_an_agenda(client, world, new_appeal, meeting):
    m = meeting(MeetingType.PARTY_MASSES)
    appeal = new_appeal()
    client.force_login(world.town_user)
    client.post(reverse("admin:meetings_meeting_agenda", args=[m.pk]), {"appeals": [appeal.pk]})
    assert not m.agenda.exists()


def test_absurd_numbers_and_ids_get_messages(client, world, appeal_in, meeting, category):
    appeal = appeal_in(Status.HEARING)
    m = meeting(MeetingType.HEARING, appeal)
    client.force_login(world.staff_a)
    response = client.post(
        reverse("admin:meetings_meeting_outcome", args=[m.pk]),
        {
            "appeal": appeal.pk,
            "outcome": "hearing_vote",
            f"o{appeal.pk}-hearing_vote-eligible": 3_000_000_000,
            f"o{appeal.pk}-hearing_vote-present": 3,
            f"o{appeal.pk}-hearing_vote-votes_for": 3,
            f"o{appeal.pk}-hearing_vote-votes_against": 0,
            f"o{appeal.pk}-hearing_vote-abstain": 0,
        },
    )
    assert response.status_code == 200
    assert 'value="3000000000"' in response.content.decode()  # what was typed is kept
    assert (
        client.post(
            reverse("admin:meetings_meeting_agenda", args=[m.pk]), {"appeals": ["²", str(10**30)]}
        ).status_code
        == 302
    )
    empty = client.post(reverse("admin:meetings_meeting_outcome", args=[m.pk]), {}, follow=True)
    assert empty.status_code == 200 and 'class="error"' in empty.content.decode()
    assert (
        client.get(reverse("admin:meetings_appeal_add"), {"building": str(10**30)}).status_code
        == 200
    )


def test_public_pages_take_odd_input(client, new_appeal):
    assert client.get("/appeals/new/", {"estate": "²", "building": "²"}).status_code == 200
    appeal = new_appeal()
    response = client.post(
        f"/appeals/track/{appeal.display_code}/", {"action": "withdraw", "note": "a\x00b"}
    )
    assert response.status_code == 302


@override_settings(TRUSTED_PROXIES=["127.0.0.1"], APPEAL_TRACK_LIMIT=2)
def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(client, new_appeal):
    appeal = new_appeal()
    url = f"/appeals/track/{appeal.display_code}/"
    codes = [
        client.get(url, HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 10.0.0.1").status_code for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_a_meetings_outcome_posted_on_the_appeal_page_says_where_it_is_made(
    client, world, appeal_in
):
    """A coordination's or a hearing's outcome sent to the appeal's own page (a stale or forged
    form): the page says it is recorded at the meeting, and nothing changes."""
    coordinating, hearing = appeal_in(Status.COORDINATING), appeal_in(Status.HEARING)
    client.force_login(world.staff_a)
    posts = [
        (coordinating, "coordination_agreed", {}),
        (
            hearing,
            "hearing_vote",
            {
                f"hearing_vote-{name}": n
                for name, n in [
                    ("eligible", 9),
                    ("present", 9),
                    ("votes_for", 9),
                    ("votes_against", 0),
                    ("abstain", 0),
                ]
            },
        ),
    ]
    for appeal, action, body in posts:
        events = appeal.events.count()
        response = client.post(act(appeal, action), body)
        assert response.status_code == 200, action
        assert "此事项须由会议决定" in response.content.decode(), action
        appeal.refresh_from_db()
        assert appeal.events.count() == events and appeal.status in (
            Status.COORDINATING,
            Status.HEARING,
        )


def test_an_id_beyond_any_row_in_a_many_choice_field_is_a_form_error(client, world, meeting):
    """Ids no database integer holds, in a field that takes several (attendees, the buildings
    a group covers, a user's groups): the page says the choice is not valid, it is no error
    page."""
    client.force_login(world.staff_a)
    huge = [str(2**63), str(-(2**63) - 1), str(10**30)]
    m = meeting(MeetingType.PARTY_MASSES)
    page = reverse("admin:meetings_meeting_change", args=[m.pk])
    group = reverse("admin:branches_buildinggroup_change", args=[world.a_group.pk])
    for value in huge:
        response = client.post(page, {**meeting_data(world), "attendees": [value]})
        assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
        response = client.post(group, {"name": world.a_group.name, "cover": [value]})
        assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
    client.force_login(world.superuser)
    user = reverse("admin:auth_user_change", args=[world.staff_b.pk])
    for value in huge:
        response = client.post(user, {"username": "other", "groups": [value]})
        assert response.status_code == 200 and 'class="errorlist' in response.content.decode()
