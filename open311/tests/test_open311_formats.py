"""Every endpoint answers in both of GeoReport v2's formats, with the specification's field
names (http://wiki.open311.org/GeoReport_v2), its element names in XML and its content
types: a client written against the specification reads every answer."""

import json
from xml.etree import ElementTree

import pytest

# The specification's fields, as its tables and examples name them.
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
}
ATTRIBUTE_OPTIONAL = {"values"}  # only for singlevaluelist and multivaluelist
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
NEW_REQUEST_FIELDS = {"service_request_id", "service_notice", "account_id"}
NEW_REQUEST_ALTERNATIVE = {"token", "service_notice", "account_id"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
ERROR_FIELDS = {"code", "description"}
CONTENT_TYPES = {"json": "application/json", "xml": "text/xml"}
FORMATS = ["json", "xml"]


def _content_type(response, fmt):
    media_type, _, params = response["Content-Type"].partition(";")
    assert media_type.strip() == CONTENT_TYPES[fmt]
    assert "utf-8" in params.lower()


def json_of(response):
    _content_type(response, "json")
    return json.loads(response.content)


def xml_of(response, root: str) -> ElementTree.Element:
    _content_type(response, "xml")
    assert response.content.startswith(b"<?xml")
    tree = ElementTree.fromstring(response.content)
    assert tree.tag == root
    return tree


def children(element: ElementTree.Element) -> set[str]:
    return {child.tag for child in element}


def items(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    assert children(element) <= {name}, f"{element.tag} holds {children(element)}"
    return list(element)


@pytest.fixture
def service_code(category):
    return str(category.pk)


def test_discovery(client, db):
    body = json_of(client.get("/open311/v2/discovery.json"))
    assert set(body) == DISCOVERY_FIELDS
    assert len(body["endpoints"]) >= 1
    for endpoint in body["endpoints"]:
        assert set(endpoint) == ENDPOINT_FIELDS
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2")
        assert set(endpoint["formats"]) == {"text/xml", "application/json"}

    root = xml_of(client.get("/open311/v2/discovery.xml"), "discovery")
    assert children(root) == DISCOVERY_FIELDS
    endpoints = items(root.find("endpoints"), "endpoint")
    assert len(endpoints) == len(body["endpoints"])
    assert children(endpoints[0]) == ENDPOINT_FIELDS
    formats = items(endpoints[0].find("formats"), "format")
    assert {f.text for f in formats} == {"text/xml", "application/json"}


def test_services(client, service_code):
    body = json_of(client.get("/open311/v2/services.json"))
    assert isinstance(body, list) and body
    for service in body:
        assert set(service) == SERVICE_FIELDS
        assert service["type"] in {"realtime", "batch", "blackbox"}
        assert isinstance(service["metadata"], bool)
    assert service_code in {s["service_code"] for s in body}

    root = xml_of(client.get("/open311/v2/services.xml"), "services")
    services = items(root, "service")
    assert len(services) == len(body)
    for service in services:
        assert children(service) == SERVICE_FIELDS
        assert service.findtext("metadata") in {"true", "false"}
    assert service_code in {s.findtext("service_code") for s in services}


def test_service_definition(client, service_code):
    body = json_of(client.get(f"/open311/v2/services/{service_code}.json"))
    assert set(body) == DEFINITION_FIELDS
    assert body["service_code"] == service_code
    assert body["attributes"]
    for attribute in body["attributes"]:
        assert ATTRIBUTE_FIELDS <= set(attribute) <= ATTRIBUTE_FIELDS | ATTRIBUTE_OPTIONAL
        assert attribute["datatype"] in DATATYPES
        assert isinstance(attribute["variable"], bool)
        assert isinstance(attribute["required"], bool)

    root = xml_of(client.get(f"/open311/v2/services/{service_code}.xml"), "service_definition")
    assert children(root) == DEFINITION_FIELDS
    assert root.findtext("service_code") == service_code
    attributes = items(root.find("attributes"), "attribute")
    assert len(attributes) == len(body["attributes"])
    for attribute in attributes:
        assert ATTRIBUTE_FIELDS <= children(attribute) <= ATTRIBUTE_FIELDS | ATTRIBUTE_OPTIONAL
        assert attribute.findtext("variable") in {"true", "false"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_new_request(post, request_data, fmt):
    response = post(request_data, fmt=fmt)
    assert response.status_code == 200
    if fmt == "json":
        body = json_of(response)
        assert isinstance(body, list) and len(body) == 1
        new = body[0]
        assert set(new) in (NEW_REQUEST_FIELDS, NEW_REQUEST_ALTERNATIVE)
        code = new["service_request_id"]
    else:
        root = xml_of(response, "service_requests")
        (new,) = items(root, "request")
        assert children(new) in (NEW_REQUEST_FIELDS, NEW_REQUEST_ALTERNATIVE)
        code = new.findtext("service_request_id")
    assert code and len(code.replace("-", "")) == 8


def _check_requests_json(body, code):
    assert isinstance(body, list)
    for request in body:
        assert set(request) == REQUEST_FIELDS
        assert request["status"] in {"open", "closed"}
    assert code in {r["service_request_id"] for r in body}


def _check_requests_xml(root, code):
    requests = items(root, "request")
    for request in requests:
        assert children(request) == REQUEST_FIELDS
        assert request.findtext("status") in {"open", "closed"}
    assert code in {r.findtext("service_request_id") for r in requests}


def test_a_search(client, filed, community_key):
    code = filed().display_code
    query = {"api_key": community_key[1]}
    _check_requests_json(json_of(client.get("/open311/v2/requests.json", query)), code)
    root = xml_of(client.get("/open311/v2/requests.xml", query), "service_requests")
    _check_requests_xml(root, code)
    # by id: the same shape
    query = {"service_request_id": code}
    _check_requests_json(json_of(client.get("/open311/v2/requests.json", query)), code)
    root = xml_of(client.get("/open311/v2/requests.xml", query), "service_requests")
    _check_requests_xml(root, code)


def test_one_request(client, filed):
    code = filed().display_code
    body = json_of(client.get(f"/open311/v2/requests/{code}.json"))
    assert len(body) == 1
    _check_requests_json(body, code)
    root = xml_of(client.get(f"/open311/v2/requests/{code}.xml"), "service_requests")
    assert len(root) == 1
    _check_requests_xml(root, code)


def test_datetimes_are_w3c_with_an_offset(client, filed):
    code = filed().display_code
    (request,) = json_of(client.get(f"/open311/v2/requests/{code}.json"))
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        text = request[name]
        assert text[10] == "T" and text[-6] in "+-" and text[-3] == ":", (name, text)


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/services/999999.{fmt}",  # an unknown service
        "/open311/v2/requests/AAAA-AAAA.{fmt}",  # an unknown request
        "/open311/v2/requests.{fmt}?service_code=x",  # a bad parameter
        "/open311/v2/nothing-here.{fmt}",  # no such resource
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_errors(client, db, path, fmt):
    response = client.get(path.format(fmt=fmt))
    assert 400 <= response.status_code < 500
    if fmt == "json":
        body = json_of(response)
        assert isinstance(body, list) and body
        for error in body:
            assert set(error) == ERROR_FIELDS
            assert error["code"] == response.status_code
            assert error["description"]
    else:
        errors = items(xml_of(response, "errors"), "error")
        assert errors
        for error in errors:
            assert children(error) == ERROR_FIELDS
            assert error.findtext("code") == str(response.status_code)
            assert error.findtext("description")
