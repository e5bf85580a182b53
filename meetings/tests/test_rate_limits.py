"""Per-IP limits on filing and on look-ups; friendly pages; open when the cache is down."""

from unittest import mock

from django.test import override_settings

from meetings.models import Appeal


@override_settings(APPEAL_SUBMIT_LIMIT=3)
def test_filing_is_limited_per_ip_with_a_friendly_page(client, form_data):
    for i in range(3):
        assert client.post("/appeals/new/", {**form_data, "title": f"第{i}件"}).status_code == 302
    refused = client.post("/appeals/new/", form_data)
    assert refused.status_code == 429
    assert "一小时" in refused.content.decode() or "hour" in refused.content.decode()
    assert Appeal.objects.count() == 3
    # another address is not affected
    other = client.post("/appeals/new/", form_data, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


@override_settings(APPEAL_SUBMIT_LIMIT=3)
def test_a_form_with_errors_does_not_use_up_the_limit(client, form_data):
    for _ in range(3):  # a typo in the phone number, three times over
        retry = client.post("/appeals/new/", {**form_data, "contact_phone": "1370000111"})
        assert retry.status_code == 200 and "contact_phone" in retry.context["form"].errors
    for i in range(3):
        assert client.post("/appeals/new/", {**form_data, "title": f"第{i}件"}).status_code == 302
    assert client.post("/appeals/new/", form_data).status_code == 429


@override_settings(APPEAL_TRACK_LIMIT=5)
def test_lookups_are_limited_per_ip(client, new_appeal):
    appeal = new_appeal()
    for _ in range(5):
        assert client.get(f"/appeals/track/{appeal.display_code}/").status_code == 200
    assert client.get(f"/appeals/track/{appeal.display_code}/").status_code == 429
    assert client.get("/appeals/track/", {"code": "AAAA-AAAA"}).status_code == 429


@override_settings(APPEAL_SUBMIT_LIMIT=1)
def test_the_limit_fails_open_when_the_cache_is_down(client, form_data, caplog):
    with (
        mock.patch("meetings.ratelimit.cache.get", side_effect=ConnectionError("down")),
        mock.patch("meetings.ratelimit.cache.add", side_effect=ConnectionError("down")),
    ):
        for i in range(3):
            response = client.post("/appeals/new/", {**form_data, "title": f"第{i}件"})
            assert response.status_code == 302
    assert Appeal.objects.count() == 3
    assert "cache unreachable" in caplog.text


@override_settings(APPEAL_TRACK_LIMIT=1, APPEAL_SUBMIT_LIMIT=0)
def test_the_please_wait_pages_name_the_community_phones(client, world, form_data):
    type(world.a).objects.filter(pk=world.a.pk).update(phone="0731-84012345")
    client.get("/appeals/track/", {"code": "K7QF-93MX"})
    for page in (
        client.get("/appeals/track/", {"code": "K7QF-93MX"}),
        client.post("/appeals/new/", form_data),
    ):
        assert page.status_code == 429
        html = page.content.decode()
        assert "0731-84012345" in html and world.a.name in html
