"""Limits per key for a client system's reads and filings, whatever address it calls from;
without a key, a look-up by tracking code counts as one on the public tracking page does.
A refusal is the specification's error list with a 429 and Retry-After."""

from django.test import override_settings
from django.utils.translation import gettext as _

from meetings.models import Appeal

from .spec import refused

REQUESTS = "/open311/v2/requests.json"


def _search(client, key, **extra):
    return client.get(REQUESTS, {"api_key": key}, **extra)


def _too_many(response, limit: int, window_seconds: int):
    said = refused(response, 429)
    assert said == _(
        "Too many requests: at most %(limit)d in %(minutes)d minutes. Try again later."
    ) % {"limit": limit, "minutes": window_seconds // 60}
    assert response["Retry-After"] == str(window_seconds)


@override_settings(OPEN311_KEY_READS=3)
def test_reads_are_counted_per_key(client, community_key, town_key, filed):
    code = filed().display_code
    for _use in range(2):
        assert _search(client, community_key[1]).status_code == 200
    one = client.get(f"/open311/v2/requests/{code}.json", {"api_key": community_key[1]})
    assert one.status_code == 200
    _too_many(_search(client, community_key[1]), 3, 3600)
    _too_many(
        client.get(f"/open311/v2/requests/{code}.xml", {"api_key": community_key[1]}), 3, 3600
    )
    # the other key has a count of its own, from the same address
    for _use in range(3):
        assert _search(client, town_key[1]).status_code == 200
    _too_many(_search(client, town_key[1]), 3, 3600)


@override_settings(OPEN311_KEY_READS=2)
def test_a_key_is_one_count_from_any_address(client, community_key):
    assert _search(client, community_key[1], REMOTE_ADDR="10.0.0.1").status_code == 200
    assert _search(client, community_key[1], REMOTE_ADDR="10.0.0.2").status_code == 200
    _too_many(_search(client, community_key[1], REMOTE_ADDR="10.0.0.3"), 2, 3600)


@override_settings(OPEN311_KEY_WRITES=2)
def test_filings_are_counted_per_key(post, request_data, town_key, world):
    for _use in range(2):
        assert post(request_data).status_code == 200
    response = post(request_data, fmt="xml")
    _too_many(response, 2, 3600)
    assert Appeal.objects.count() == 2
    # the town's key still files
    assert post({**request_data, "api_key": town_key[1]}).status_code == 200
    assert Appeal.objects.count() == 3


@override_settings(OPEN311_KEY_WRITES=1)
def test_a_refused_filing_does_not_use_the_limit(post, request_data):
    assert post({**request_data, "phone": "123"}).status_code == 422
    assert post(request_data).status_code == 200


@override_settings(APPEAL_TRACK_LIMIT=5)
def test_lookups_without_a_key_count_as_the_tracking_pages_do(client, filed):
    code = filed().display_code
    assert client.get(f"/open311/v2/requests/{code}.json").status_code == 200
    assert client.get(f"/open311/v2/requests/{code}.xml").status_code == 200
    assert client.get(REQUESTS, {"service_request_id": f"{code},AAAA-AAAA"}).status_code == 200
    # four look-ups so far: the tracking page has one left
    assert client.get(f"/appeals/track/{code}/").status_code == 200
    assert client.get(f"/appeals/track/{code}/").status_code == 429
    _too_many(client.get(f"/open311/v2/requests/{code}.json"), 5, 600)
    _too_many(client.get(REQUESTS, {"service_request_id": code}), 5, 600)
    # another address is not affected
    other = client.get(f"/open311/v2/requests/{code}.json", REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200


@override_settings(APPEAL_TRACK_LIMIT=5)
def test_lookups_of_more_codes_than_are_left_use_none(client, filed):
    code = filed().display_code
    codes = ",".join([code, "AAAA-AAAA", "CCCC-CCCC", "DDDD-DDDD", "EEEE-EEEE", "FFFF-FFFF"])
    _too_many(client.get(REQUESTS, {"service_request_id": codes}), 5, 600)
    for _use in range(5):  # the five look-ups are all still there
        assert client.get(f"/appeals/track/{code}/").status_code == 200
    assert client.get(f"/appeals/track/{code}/").status_code == 429


@override_settings(APPEAL_TRACK_LIMIT=1)
def test_lookups_with_a_key_count_on_the_key(client, filed, community_key):
    code = filed().display_code
    assert client.get(f"/appeals/track/{code}/").status_code == 200
    assert client.get(f"/appeals/track/{code}/").status_code == 429
    for _use in range(3):
        response = client.get(REQUESTS, {"service_request_id": code, "api_key": community_key[1]})
        assert response.status_code == 200


@override_settings(OPEN311_KEY_WRITES=1)
def test_a_filing_outside_the_keys_scope_does_not_use_the_limit(post, request_data, world):
    from branches.models import Building

    elsewhere = Building.objects.create(estate=world.b_estate, name="9栋")
    assert post({**request_data, "address_id": str(elsewhere.pk)}).status_code == 403
    assert post(request_data).status_code == 200
    _too_many(post(request_data), 1, 3600)
