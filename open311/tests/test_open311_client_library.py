"""A third-party GeoReport v2 client from PyPI (georeport 0.3.1), as a black box against the
live server: a client system files a request exactly as the specification's example does,
reads it back with the library in JSON and in XML; staff see it in the admin, named for the
client system that filed it; the resident follows it on the tracking page."""

import pytest
import requests
from django.conf import settings
from georeport import GeoReport

from meetings.models import Appeal, Source


@pytest.fixture
def root(live_server, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # the server is on this machine
    monkeypatch.delenv("GEOREPORT_API_KEY", raising=False)
    return f"{live_server.url}/open311/v2"


def _as_list(value):
    """xmltodict gives one element as a dict and several as a list."""
    return value if isinstance(value, list) else [value]


@pytest.fixture
def filed(root, world, category, community_key):
    """A request filed with a plain form POST, the specification's example with our service,
    building and a mainland mobile (fields it names that we do not use are ignored)."""
    response = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": community_key[1],
            "service_code": str(category.pk),
            "address_id": str(world.a_building.pk),
            "email": "smit222@sfgov.edu",
            "device_id": "tt222111",
            "account_id": "123456",
            "first_name": "john",
            "last_name": "smith",
            "phone": "13912345678",
            "description": "A large sinkhole is destroying the street",
            "media_url": "http://example.com/image.png",
            "attribute[title]": "Sinkhole in front of building 1",
            "attribute[WHISKEY]": "123",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    (new,) = response.json()
    return new


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_the_client_reads_back_what_was_filed(root, filed, category, output_format):
    client = GeoReport(root, output_format=output_format)
    code = filed["service_request_id"]

    services = client.get_service_list()
    if output_format == "xml":
        services = _as_list(services)
    assert str(category.pk) in {s["service_code"] for s in services}
    (service,) = [s for s in services if s["service_code"] == str(category.pk)]
    assert service["service_name"] == category.name

    definition = client.get_service_definition(str(category.pk))
    assert definition["service_code"] == str(category.pk)
    attributes = definition["attributes"]
    if output_format == "xml":
        attributes = _as_list(attributes["attribute"])
    assert "title" in {a["code"] for a in attributes}

    one = client.get_service_request(code)
    assert one["service_request_id"] == code
    assert one["status"] == "open"
    assert one["service_code"] == str(category.pk)
    assert one["description"] == "Sinkhole in front of building 1"
    assert one["requested_datetime"]

    found = _as_list(client.get_service_requests(service_request_id=code))
    assert [r["service_request_id"] for r in found] == [code]
    assert found[0]["status_notes"] == one["status_notes"]


def test_the_client_cannot_search_without_a_key(root, filed):
    """georeport sends no key with its reads: a look-up by id works, a search does not."""
    with pytest.raises(requests.HTTPError) as error:
        GeoReport(root).get_service_requests(status="open")
    assert error.value.response.status_code == 403
    assert error.value.response.json()[0]["code"] == 403


def test_staff_see_it_in_the_admin_named_for_its_client(client, world, filed, community_key):
    appeal = Appeal.objects.get(code=filed["service_request_id"].replace("-", ""))
    assert appeal.source == Source.API and appeal.api_key == community_key[0]
    assert appeal.contact_name == "smithjohn" and appeal.contact_phone == "13912345678"
    client.force_login(world.staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/admin/meetings/appeal/{appeal.pk}/change/").content.decode()
    assert "Filed through" in page
    assert f"12345热线 · {community_key[0].prefix}…" in page
    assert "API (another system)" in page
    listed = client.get("/admin/meetings/appeal/", {"source__exact": "api"}).content.decode()
    assert filed["service_request_id"] in listed


def test_the_resident_tracks_it(live_server, filed):
    code = filed["service_request_id"]
    assert f"/appeals/track/{code}/" in filed["service_notice"]
    page = requests.get(f"{live_server.url}/appeals/track/{code}/", timeout=30)
    assert page.status_code == 200
    assert "Sinkhole in front of building 1" in page.text
    assert "13912345678" not in page.text
