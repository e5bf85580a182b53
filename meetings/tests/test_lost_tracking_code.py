"""A resident never loses the tracking code: the page after filing shows it to the browser
that filed it, however many look-ups its network made (a whole estate can share one mobile
address), says it was texted too, and names the community's phone for a code forgotten
anyway. Nobody else can use that page to look codes up past the look-up limit."""

import pytest
from django.test import Client, override_settings

from meetings.models import Appeal

LIMIT = 3


@pytest.fixture
def form_data(world, category):
    return {
        "estate": world.a_estate.pk,
        "category": category.pk,
        "title": "楼道灯坏了",
        "description": "3单元楼道灯一周没亮。",
        "contact_name": "张阿姨",
        "contact_phone": "13812345678",
        "consent": "on",
    }


def use_up_lookups(client):
    for _ in range(LIMIT + 1):
        client.get("/appeals/track/", {"code": "AAAA-AAAA"})
    assert client.get("/appeals/track/", {"code": "AAAA-AAAA"}).status_code == 429


@override_settings(APPEAL_TRACK_LIMIT=LIMIT)
def test_the_code_is_shown_after_filing_even_when_the_networks_lookups_are_used_up(
    client, form_data
):
    use_up_lookups(client)
    response = client.post("/appeals/new/", form_data)
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    assert appeal.display_code in page.content.decode()
    # and the page's "follow my appeal" link works for this browser too
    assert client.get(f"/appeals/track/{appeal.display_code}/").status_code == 200
    # again and again: never limited for the browser that filed it
    for _ in range(LIMIT + 2):
        assert client.get(response.url).status_code == 200


@override_settings(APPEAL_TRACK_LIMIT=LIMIT)
def test_another_browser_cannot_use_the_page_after_filing_to_look_codes_up(db, new_appeal):
    appeal = new_appeal()
    other = Client()
    response = other.get(f"/appeals/submitted/{appeal.display_code}/")
    # sent to the tracking page, which counts look-ups like any other
    assert response.status_code == 302
    assert response.url == f"/appeals/track/{appeal.display_code}/"
    # the answer is the same whether the code exists or not: no way to test codes here
    assert other.get("/appeals/submitted/AAAA-AAAA/").url == "/appeals/track/AAAA-AAAA/"
    use_up_lookups(other)
    followed = other.get(f"/appeals/submitted/{appeal.display_code}/", follow=True)
    assert followed.status_code == 429
    html = followed.content.decode()
    assert 'id="tracking-code"' not in html and 'id="appeal-status"' not in html


def test_the_page_after_filing_says_the_code_was_texted_to_a_masked_number(client, form_data):
    response = client.post("/appeals/new/", form_data)
    html = client.get(response.url).content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html


def test_the_page_after_filing_names_the_estates_community_and_its_phone(client, world, form_data):
    world.a.phone = "0731-84012345"
    world.a.save()
    world.b.phone = "0731-84067890"
    world.b.save()
    response = client.post("/appeals/new/", form_data)
    html = client.get(response.url).content.decode()
    assert "光达社区" in html and "0731-84012345" in html
    assert "0731-84067890" not in html  # only the community of the appeal's estate


def test_the_lookup_page_lists_the_communities_phones_in_one_query(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from branches.models import Community

    def count():
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/appeals/track/").content.decode()
        return html, len([q for q in queries if "SAVEPOINT" not in q["sql"]])

    world.a.phone = "0731-84012345"
    world.a.save()
    html, one = count()
    assert "光达社区" in html and "0731-84012345" in html
    assert "金星社区" not in html  # it has no phone to call
    # and the page says where else the code is: the text message sent at filing
    assert "短信" in html or "text message" in html
    Community.objects.bulk_create(
        Community(town=world.town, name=f"第{i}社区", phone=f"0731-8400000{i}") for i in range(5)
    )
    html, more = count()
    assert "第4社区" in html
    assert more == one == 1


def test_a_wrong_code_on_the_tracking_page_also_names_the_phones(client, world):
    world.a.phone = "0731-84012345"
    world.a.save()
    response = client.get("/appeals/track/AAAA-AAAA/")
    assert response.status_code == 404
    assert "0731-84012345" in response.content.decode()
