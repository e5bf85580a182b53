"""What the API shows of an appeal is what the public tracking page shows: never the
resident's name or phone, their own text beyond the title, staff's names or internal notes.
The contact stays on the appeal for staff. Searches need a key and see only its scope."""

import pytest

from meetings.models import Meeting, MeetingType
from meetings.services import (
    appeal_acknowledge,
    appeal_reassign,
    appeal_report_fix,
    appeal_route,
    appeal_submit,
)

from .spec import refused

NAME = ("张", "秀英")  # last_name, first_name
PHONE = "13912345678"
DESCRIPTION_DETAIL = "隔壁王大爷家门口的电表箱也是坏的"
INTERNAL = ["物业经理态度消极，内部备注", "改派：原经办人休假", "供应商报价八百元"]
PUBLIC = ["社区已收到，将在议事会讨论", "灯已换好，请您确认"]
STAFF_NAMES = ["王建国", "guangda", "李红梅", "xinducheng"]


@pytest.fixture
def handled(world, filed, category):
    """An appeal filed through the API, then acknowledged, routed at a meeting, reassigned
    and fixed by staff, with internal notes at each step."""
    world.staff_a.first_name = "王建国"
    world.staff_a.save(update_fields=["first_name"])
    world.secretary_a1.first_name = "李红梅"
    world.secretary_a1.save(update_fields=["first_name"])
    appeal = filed(
        last_name=NAME[0],
        first_name=NAME[1],
        phone=PHONE,
        description=f"3单元楼道灯一周没亮。\n{DESCRIPTION_DETAIL}，电话{PHONE}",
    )
    staff = world.staff_a
    appeal_acknowledge(appeal=appeal, by=staff, public_note=PUBLIC[0], internal_note=INTERNAL[0])
    meeting = Meeting.objects.create(
        type=MeetingType.PARTY_MASSES, community=world.a, estate=world.a_estate, place="服务站"
    )
    meeting.agenda.add(appeal)
    appeal_route(appeal=appeal, to="handle", by=staff, meeting=meeting, internal_note="走流程")
    appeal_reassign(appeal=appeal, by=staff, handler=world.secretary_a1, note=INTERNAL[1])
    appeal_report_fix(appeal=appeal, by=staff, public_note=PUBLIC[1], internal_note=INTERNAL[2])
    appeal.refresh_from_db()
    return appeal


def _every_read(client, appeal, key):
    code = appeal.display_code
    for fmt in ("json", "xml"):
        for path, params in [
            (f"/open311/v2/requests.{fmt}", {"api_key": key}),
            (f"/open311/v2/requests.{fmt}", {"service_request_id": code}),
            (f"/open311/v2/requests.{fmt}", {"service_request_id": code, "api_key": key}),
            (f"/open311/v2/requests/{code}.{fmt}", {}),
            (f"/open311/v2/requests/{code}.{fmt}", {"api_key": key}),
        ]:
            response = client.get(path, params)
            assert response.status_code == 200
            text = response.content.decode()
            assert code in text  # the appeal is there: what is missing is left out
            yield path, text


def test_no_private_data_in_any_read(client, handled, community_key):
    private = [*NAME, "".join(NAME), PHONE, DESCRIPTION_DETAIL, *INTERNAL, *STAFF_NAMES]
    for path, text in _every_read(client, handled, community_key[1]):
        for secret in private:
            assert secret not in text, (path, secret)
        # what the tracking page shows is there: the title and the latest public note
        assert handled.title in text
        assert PUBLIC[1] in text


def test_a_note_from_before_the_last_move_is_not_shown_as_current(client, filed, world):
    appeal = filed()
    appeal_acknowledge(appeal=appeal, by=world.staff_a, public_note=PUBLIC[0])
    meeting = Meeting.objects.create(
        type=MeetingType.PARTY_MASSES, community=world.a, estate=world.a_estate, place="服务站"
    )
    meeting.agenda.add(appeal)
    appeal_route(appeal=appeal, to="handle", by=world.staff_a, meeting=meeting)
    (request,) = client.get(f"/open311/v2/requests/{appeal.display_code}.json").json()
    assert PUBLIC[0] not in request["status_notes"]


def test_the_contact_stays_on_the_appeal_for_staff(client, handled, world):
    assert handled.contact_name == "".join(NAME)
    assert handled.contact_phone == PHONE
    client.force_login(world.staff_a)
    page = client.get(f"/admin/meetings/appeal/{handled.pk}/change/").content.decode()
    assert "".join(NAME) in page and PHONE in page and DESCRIPTION_DETAIL in page


def test_a_search_without_a_key_is_refused(client, handled):
    for fmt in ("json", "xml"):
        refused(client.get(f"/open311/v2/requests.{fmt}"), 403)
        refused(client.get(f"/open311/v2/requests.{fmt}", {"status": "open"}), 403)


@pytest.fixture
def appeal_in_b(world, category):
    return appeal_submit(
        estate=world.b_estate,
        building=world.b_building,
        category=category,
        title="金星花园的路灯",
        description="路灯不亮",
        contact_name="赵先生",
        contact_phone="13600000000",
        consent=True,
    )


def _listed(client, key, fmt="json"):
    response = client.get(f"/open311/v2/requests.{fmt}", {"api_key": key})
    assert response.status_code == 200
    if fmt == "json":
        return {r["service_request_id"] for r in response.json()}
    return response.content.decode()


def test_a_community_key_searches_only_its_community(client, filed, appeal_in_b, community_key):
    mine = filed()
    assert _listed(client, community_key[1]) == {mine.display_code}
    xml = _listed(client, community_key[1], "xml")
    assert mine.display_code in xml and appeal_in_b.display_code not in xml
    for status in ("open", "closed", "open,closed"):
        response = client.get(
            "/open311/v2/requests.json", {"api_key": community_key[1], "status": status}
        )
        assert appeal_in_b.display_code not in response.content.decode()


def test_a_town_key_searches_the_whole_town(client, filed, appeal_in_b, town_key):
    mine = filed()
    assert _listed(client, town_key[1]) == {mine.display_code, appeal_in_b.display_code}


def test_a_key_of_another_town_sees_none_of_it(client, filed, appeal_in_b, world):
    from branches.tests.factories import TownFactory
    from meetings.api_keys import issue_key

    _row, other = issue_key(client="外镇平台", town=TownFactory(name="外镇"), by=world.superuser)
    filed()
    assert _listed(client, other) == set()
