"""Whatever a client gets wrong, the API answers a 4xx with the specification's error list
saying what to change, never a 5xx, and files nothing."""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.utils.translation import gettext as _

from meetings.api_keys import revoke_key
from meetings.models import Appeal

from .spec import refused

REQUESTS = "/open311/v2/requests.json"


@pytest.fixture
def nothing_filed(db):
    yield
    assert not Appeal.objects.exists()


def form(client, body: bytes | str, content_type="application/x-www-form-urlencoded", **extra):
    return client.generic("POST", REQUESTS, body, content_type=content_type, **extra)


# --- the key ------------------------------------------------------------------------------


def test_filing_without_a_key(post, request_data, nothing_filed):
    del request_data["api_key"]
    assert "api_key" in refused(post(request_data), 403)
    refused(post({**request_data, "api_key": ""}, fmt="xml"), 403)


@pytest.mark.parametrize("wrong", ["o311_" + "x" * 43, "not-a-key", "o311_", "x" * 500])
def test_filing_with_a_wrong_key(post, request_data, nothing_filed, wrong):
    refused(post({**request_data, "api_key": wrong}), 403)


def test_filing_with_a_revoked_key(post, request_data, world, community_key, nothing_filed):
    revoke_key(key=community_key[0], by=world.superuser)
    assert refused(post(request_data), 403) == _("This api_key was revoked.")


def test_a_search_with_a_wrong_or_revoked_key(client, world, community_key):
    refused(client.get(REQUESTS, {"api_key": "o311_" + "x" * 43}), 403)
    revoke_key(key=community_key[0], by=world.superuser)
    refused(client.get(REQUESTS, {"api_key": community_key[1]}), 403)


# --- services -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["999999", "0", "abc", "1.5", "-1", "9" * 40, "²"])
def test_an_unknown_service(client, post, request_data, nothing_filed, code):
    refused(client.get(f"/open311/v2/services/{code}.json"), 404)
    refused(client.get(f"/open311/v2/services/{code}.xml"), 404)
    refused(post({**request_data, "service_code": code}), 404)


def test_an_inactive_service_takes_no_requests(post, request_data, category, nothing_filed):
    category.active = False
    category.save(update_fields=["active"])
    refused(post(request_data), 404)


# --- a search's parameters ----------------------------------------------------------------


@pytest.fixture
def search(client, community_key):
    def get(**params):
        return client.get(REQUESTS, {"api_key": community_key[1], **params})

    return get


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01T00:00:00Z"},
        {"start_date": "2026-02-30T00:00:00+08:00"},
        {"start_date": "0001-01-01T00:00:00Z"},
        {"end_date": "99999-01-01T00:00:00Z"},
        {"start_date": "1" * 300},
    ],
)
def test_dates_not_w3c(search, params):
    assert "date" in refused(search(**params), 400)


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-11-01T00:00:00+23:59"},  # PostgreSQL takes at most ±15:59
        {"end_date": "2026-11-01T00:00:00-23:59"},
        {"start_date": "1900-01-01T00:00:00+23:59"},
        {"end_date": "9000-12-31T23:59:59-23:59"},
        {"start_date": "2026-11-01T00:00:00.123456Z"},
        {"start_date": "2026-11-01"},
        {"start_date": "2026-11-01T00:00:00"},  # no offset: local time
    ],
)
def test_dates_at_the_edges_are_read(search, params):
    assert search(**params).status_code == 200


def test_end_before_start(search):
    start, end = "2026-11-02T00:00:00+08:00", "2026-11-01T00:00:00+08:00"
    said = refused(search(start_date=start, end_date=end), 400)
    assert said == _("start_date is after end_date.")
    assert search(start_date=end, end_date=start).status_code == 200


def test_a_range_of_more_than_90_days(search):
    start = "2026-01-01T00:00:00+08:00"
    refused(search(start_date=start, end_date="2026-04-01T00:00:01+08:00"), 400)
    assert search(start_date=start, end_date="2026-04-01T00:00:00+08:00").status_code == 200


@pytest.mark.parametrize("status", ["pending", "open,closed,open", "OPEN;closed", "1"])
def test_a_bad_status(search, status):
    refused(search(status=status), 400)


def test_the_statuses_the_specification_names(search):
    for status in ("open", "closed", "open,closed", "Closed"):
        assert search(status=status).status_code == 200


@pytest.mark.parametrize("code", ["abc", "1;2", "-1", "1e3", "9" * 10, "１"])
def test_a_bad_service_code_in_a_search(search, code):
    refused(search(service_code=code), 400)


def test_too_many_ids(search):
    ids = ["AAAA-AAAA"] * (settings.OPEN311_MAX_IDS + 1)
    said = refused(search(service_request_id=",".join(ids)), 400)
    assert said == _("At most %(most)d values of %(name)s at once.") % {
        "most": settings.OPEN311_MAX_IDS,
        "name": "service_request_id",
    }
    assert search(service_request_id=",".join(ids[:-1])).json() == []


@pytest.mark.parametrize("code", ["nonsense", "AAAA-AAAA-AAAA", "'; DROP TABLE x; --"])
def test_an_id_that_cannot_be_a_tracking_code(client, db, code):
    refused(client.get(REQUESTS, {"service_request_id": code}), 400)


# --- a new request's fields ---------------------------------------------------------------


@pytest.mark.parametrize("phone", ["12345", "23912345678", "139123456789", "+1 415 555 0100"])
def test_a_phone_that_is_not_a_mainland_mobile(post, request_data, nothing_filed, phone):
    assert "phone" in refused(post({**request_data, "phone": phone}), 422)


def test_a_mobile_in_any_spelling_is_taken(filed):
    assert filed(phone="+86 139-1234-5678").contact_phone == "13912345678"


def test_a_description_of_more_than_2000_characters(post, request_data):
    refused(post({**request_data, "description": "灯" * 2001}), 422)
    assert not Appeal.objects.exists()
    assert post({**request_data, "description": "灯" * 2000}).status_code == 200


@pytest.mark.parametrize(
    "changes,status",
    [
        ({"description": ""}, 400),
        ({"description": "   "}, 400),
        ({"service_code": ""}, 400),
        ({"attribute[title]": "灯" * 101}, 422),
        ({"first_name": "名" * 30, "last_name": "姓" * 30}, 422),
    ],
)
def test_other_fields_out_of_bounds(post, request_data, nothing_filed, changes, status):
    refused(post({**request_data, **changes}), status)


def test_no_location(post, request_data, nothing_filed):
    del request_data["address_id"]
    assert refused(post(request_data), 400) == _(
        "A location is required: lat and long, address_id (a building's id) or address_string."
    )


def test_an_address_of_another_community(post, request_data, world, nothing_filed):
    """A's key cannot file in B's building, even with B's real building id."""
    description = refused(post({**request_data, "address_id": str(world.b_building.pk)}), 403)
    assert world.a.name in description


def test_a_town_key_files_in_either_community(post, request_data, world, town_key):
    request_data.update(api_key=town_key[1], address_id=str(world.b_building.pk))
    assert post(request_data).status_code == 200
    assert Appeal.objects.get().estate == world.b_estate


@pytest.mark.parametrize("address_id", ["999999", "0", "-1", "abc", "9" * 40, "²", "1.0"])
def test_an_unknown_address_id(post, request_data, nothing_filed, address_id):
    assert "address_id" in refused(post({**request_data, "address_id": address_id}), 400)


# --- bodies the API does not read ---------------------------------------------------------


def test_a_body_larger_than_django_reads(client, request_data, nothing_filed):
    big = {**request_data, "description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    refused(form(client, urlencode(big)), 400)
    refused(client.post(REQUESTS, big), 400)  # multipart


def test_too_many_fields(client, request_data, nothing_filed):
    fields = {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    refused(form(client, urlencode({**request_data, **fields})), 400)
    refused(client.post(REQUESTS, {**request_data, **fields}), 400)


@pytest.mark.parametrize(
    "content_type,encode",
    [
        ("application/json", json.dumps),
        ("text/xml", lambda d: "<request>" + "".join(f"<a>{v}</a>" for v in d.values()) + "</r>"),
        ("application/xml", lambda d: "<?xml version='1.0'?><request/>"),
        ("text/plain", urlencode),
        ("", urlencode),
        ("multipart/form-data", urlencode),  # no boundary
    ],
)
def test_bodies_in_other_formats(client, request_data, nothing_filed, content_type, encode):
    refused(form(client, encode(request_data), content_type=content_type), 400)


def test_a_content_type_with_control_characters(client, request_data, nothing_filed):
    """The refusal names the type sent; in XML, characters XML cannot hold are replaced, so
    the error list stays readable (found by test_open311_fuzzing)."""
    response = client.generic(
        "POST", "/open311/v2/requests.xml", urlencode(request_data), content_type="0\x1f\x080"
    )
    assert "0\ufffd\ufffd0" in refused(response, 400)


def test_a_body_that_is_not_the_multipart_it_says(client, request_data, nothing_filed):
    """No part of it has the boundary: it holds no field, the key first of all."""
    body = urlencode(request_data)
    refused(form(client, body, content_type="multipart/form-data; boundary=x"), 403)


def test_the_specifications_own_example_is_read(client, request_data):
    """Form-encoded, as the specification's example sends it."""
    response = form(client, urlencode(request_data))
    assert response.status_code == 200
    assert Appeal.objects.get().title == request_data["attribute[title]"]


@pytest.mark.parametrize("charset", ["rot13", "hex", "utf-16"])
def test_a_form_in_a_charset_that_does_not_decode_it(client, request_data, nothing_filed, charset):
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    refused(form(client, urlencode(request_data), content_type=content_type), 400)


def test_a_charset_nobody_knows_is_ignored(client, request_data):
    content_type = "application/x-www-form-urlencoded; charset=no-such-charset"
    assert form(client, urlencode(request_data), content_type=content_type).status_code == 200


# --- methods and paths --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize(
    "path",
    [
        REQUESTS,
        "/open311/v2/requests/AAAA-AAAA.xml",
        "/open311/v2/services.json",
        "/open311/v2/discovery.xml",
    ],
)
def test_other_methods(client, request_data, nothing_filed, method, path):
    response = client.generic(method, path, urlencode(request_data))
    refused(response, 405)
    assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/nothing.json",
        "/open311/v2/nothing.xml",
        "/open311/v2/requests.csv",
        "/open311/v2/requests",
        "/open311/v2/services/1/attributes.json",
        "/open311/v2/requests/AAAA-AAAA/notes.xml",
        "/open311/v2/requests.json/",
        "/open311/v2/discovery.html",
    ],
)
def test_unknown_paths_and_extensions(client, db, path):
    response = client.get(path)
    refused(response, 404)
    fmt = "text/xml" if path.endswith(".xml") else "application/json"
    assert response["Content-Type"].startswith(fmt)


# --- NUL bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/requests.json?service_code=%00",
        "/open311/v2/requests.xml?api_key=o311_%00",
        "/open311/v2/requests.json?service_request_id=AAAA%00AAAA",
        "/open311/v2/requests.json?%00=1",
        "/open311/v2/requests/AAAA%00AAAA.json",
        "/open311/v2/services/1%00.xml",
    ],
)
def test_a_nul_byte_in_the_query_or_path(client, db, path):
    refused(client.get(path), 400)


@pytest.mark.parametrize(
    "field", ["description", "attribute[title]", "first_name", "phone", "address_id", "api_key"]
)
def test_a_nul_byte_in_the_body(post, request_data, nothing_filed, field):
    response = post({**request_data, field: request_data.get(field, "") + "\x00"})
    assert response.status_code in (400, 403)
    refused(response, response.status_code)
