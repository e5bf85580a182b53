"""A NUL byte (%00) in an address, a cookie or a header answers 400, on every page at once:
PostgreSQL cannot compare text holding one, so list filters, autocompletes and session
look-ups given one failed with a 500. Typed into a form, a NUL gets the field's message."""

import pytest
from django.urls import reverse

from meetings.models import Appeal
from meetings.services import appeal_submit

# The addresses the fuzzing found (issue 8), and the autocompletes as the admin's pages call
# them: the appeal page's building, the meeting page's attendees, the member page's group.
LISTED = [
    "/admin/meetings/appeal/?status__exact=%00",
    "/admin/meetings/appeal/?source__exact=%00",
    "/admin/meetings/meeting/?type__exact=%00",
    "/admin/meetings/notification/?kind__exact=%00",
    "/admin/autocomplete/?app_label=meetings&model_name=appeal&field_name=building&term=%00",
    "/admin/autocomplete/?app_label=meetings&model_name=meeting&field_name=attendees&term=%00",
    "/admin/autocomplete/?app_label=branches&model_name=member&field_name=group&term=%00",
]
ELSEWHERE = [
    "/admin/meetings/appeal/?%00=1",  # in a name
    "/admin/meetings/appeal/?estate__id__exact=1&q=%00",
    "/admin/%00/",  # in the path
    "/appeals/new/?estate=%00",
    "/appeals/track/?code=K7QF%0093MX",
]


@pytest.fixture
def staff(client, world, category):
    appeal_submit(
        estate=world.a_estate,
        category=category,
        title="楼道灯坏了",
        description="一周没亮。",
        contact_name="张阿姨",
        contact_phone="13912345678",
        consent=True,
    )
    client.raise_request_exception = False  # a 500 is what is checked for, not raised
    client.force_login(world.staff_a)
    return client


@pytest.mark.parametrize("url", LISTED + ELSEWHERE)
def test_a_nul_in_the_address_answers_400(staff, url):
    response = staff.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", [u.replace("%00", "received") for u in LISTED])
def test_the_same_addresses_without_the_nul_still_answer(staff, url):
    assert staff.get(url).status_code == 200


def test_a_nul_in_the_session_cookie_answers_400_not_500(client, db):
    client.raise_request_exception = False
    # a quoted cookie value may spell a NUL as \000 (RFC 2109); Django unquotes it
    cookie = 'sessionid="abcdefgh\\000ijklmnop"'
    assert client.get("/appeals/new/", HTTP_COOKIE=cookie).status_code == 400


def test_a_nul_in_a_header_answers_400(client, db):
    assert client.get("/accounts/login/", HTTP_USER_AGENT="Mozilla\x00").status_code == 400
    assert client.get("/accounts/login/", HTTP_USER_AGENT="Mozilla").status_code == 200


def test_a_nul_typed_into_forms_gets_a_message(staff, world, form_data):
    response = staff.post("/appeals/new/", {**form_data, "title": "灯\x00坏了"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    response = staff.post(
        reverse("admin:meetings_appeal_add"),
        {
            "estate": world.a_estate.pk,
            "category": form_data["category"],
            "title": "灯\x00坏了",
            "description": "x",
            "source": "phone",
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Appeal.objects.count() == 1  # the one the fixture filed


def test_a_nul_posted_to_an_admin_list_or_action_is_no_error(staff):
    for data in (
        {"action": "delete_selected\x00", "_selected_action": ["1"]},
        {"action": "delete_selected", "_selected_action": ["1\x00"]},
        {"action": "delete_selected", "_selected_action": ["abc"], "index": "\x00"},
    ):
        response = staff.post("/admin/meetings/appeal/", data)
        assert response.status_code in (200, 302, 400)


def test_the_nul_message_reads_right_in_chinese(client, world, form_data):
    client.cookies["django_language"] = "zh-hans"
    response = client.post("/appeals/new/", {**form_data, "title": "灯\x00坏了"})
    page = response.content.decode()
    assert "不允许包含空字符" in page and "是用" not in page
