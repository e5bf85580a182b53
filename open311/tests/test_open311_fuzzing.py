"""Whatever a client POSTs to requests.json or .xml (any text or junk in every field, field
names of its own, any content type, any body), the answer is never a server error and is
always a body the specification describes: the new request, or an error list.

About 100 examples in a normal run; OPEN311_FUZZ_EXAMPLES=5000 for a longer hunt."""

import json
import os
from urllib.parse import urlencode
from xml.etree import ElementTree

from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from branches.tests.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    TownFactory,
    UserFactory,
)
from meetings.api_keys import issue_key, revoke_key
from meetings.models import AppealCategory

EXAMPLES = int(os.environ.get("OPEN311_FUZZ_EXAMPLES", "100"))
settings.register_profile(
    "open311-fuzz",
    max_examples=max(1, EXAMPLES // 2),  # two tests share the budget
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("open311-fuzz")

FIELDS = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "attribute[title]",
    "attribute[]",
    "service_request_id",
]
# Text a test client can send: any character but the lone surrogates UTF-8 cannot encode.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)
tricky = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "²",
        "１",
        "1e309",
        "NaN",
        "9" * 40,
        "\x00",
        "a\x00b",
        "\r\n",
        "'; DROP TABLE meetings_appeal; --",
        "<request/>",
        "+86 139 1234 5678",
        "１３９１２３４５６７８",
        "灯" * 2001,
        "o311_",
        "{KEY}",
        "{REVOKED}",
        "{SERVICE}",
        "{BUILDING_A}",
        "{BUILDING_B}",
    ]
)
junk = st.one_of(any_text, st.integers(min_value=-(2**70), max_value=2**70).map(str), tricky)
field_name = st.one_of(st.sampled_from(FIELDS), any_text, any_text.map(lambda t: f"attribute[{t}]"))
# The location's fields choose a branch each (a point, a building, an address): often drawn
# together, so every branch gets junk.
location = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"lat": junk, "long": junk}),
    st.fixed_dictionaries({"address_id": junk}),
    st.fixed_dictionaries({"address_string": junk}),
)
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded; charset=gb18030",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=rot13",
    "multipart/form-data",
    "multipart/form-data; boundary=BoUnDaRy",
    "application/json",
    "text/xml",
    "text/plain",
    "",
    "*/*",
    "application/x-www-form-urlencoded\x00",
]


def spec_body(response, fmt: str) -> None:
    """The answer is 2xx or 4xx, and its body a request list or an error list."""
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"].split(";")[0] == (
        "application/json" if fmt == "json" else "text/xml"
    )
    if fmt == "json":
        body = json.loads(response.content)
        assert isinstance(body, list) and len(body) >= 1
        names = [set(item) for item in body]
    else:
        root = ElementTree.fromstring(response.content)
        assert root.tag == ("service_requests" if response.status_code == 200 else "errors")
        names = [{child.tag for child in item} for item in root]
        body = [{child.tag: child.text for child in item} for item in root]
    if response.status_code == 200:
        assert names == [{"service_request_id", "service_notice", "account_id"}]
    else:
        assert 400 <= response.status_code < 500
        assert all(n == {"code", "description"} for n in names), names
        assert all(str(e["code"]) == str(response.status_code) for e in body)


@override_settings(OPEN311_KEY_WRITES=10**9, OPEN311_KEY_READS=10**9)
class PostsNeverFail(TestCase):
    @classmethod
    def setUpTestData(cls):
        root = UserFactory(username="fuzz-root", is_superuser=True)
        town = TownFactory()
        a, b = CommunityFactory(town=town), CommunityFactory(town=town)
        cls.building_a = BuildingFactory(estate=EstateFactory(community=a))
        cls.building_b = BuildingFactory(estate=EstateFactory(community=b))
        cls.category = AppealCategory.objects.get_or_create(name="物业管理")[0]
        cls.key = issue_key(client="fuzz", community=a, by=root)[1]
        revoked, cls.revoked = issue_key(client="fuzz-old", community=a, by=root)
        revoke_key(key=revoked, by=root)

    def setUp(self):
        cache.clear()

    def fill(self, value: str) -> str:
        return (
            value.replace("{KEY}", self.key)
            .replace("{REVOKED}", self.revoked)
            .replace("{SERVICE}", str(self.category.pk))
            .replace("{BUILDING_A}", str(self.building_a.pk))
            .replace("{BUILDING_B}", str(self.building_b.pk))
        )

    def valid(self) -> dict:
        return {
            "api_key": self.key,
            "service_code": str(self.category.pk),
            "address_id": str(self.building_a.pk),
            "description": "楼道灯坏了",
        }

    @FUZZ
    @given(
        fields=st.dictionaries(field_name, junk, max_size=12),
        place=location,
        fmt=st.sampled_from(["json", "xml"]),
        multipart=st.booleans(),
    )
    def test_any_fields(self, fields, place, fmt, multipart):
        fields = {name: self.fill(value) for name, value in {**place, **fields}.items()}
        path = f"/open311/v2/requests.{fmt}"
        for data in (fields, {**self.valid(), **fields}):
            if multipart:
                response = self.client.post(path, data)
            else:
                response = self.client.generic(
                    "POST", path, urlencode(data), "application/x-www-form-urlencoded"
                )
            spec_body(response, fmt)

    @FUZZ
    @given(
        content_type=st.one_of(st.sampled_from(CONTENT_TYPES), any_text),
        body=st.one_of(
            st.binary(max_size=2000),
            st.dictionaries(field_name, junk, max_size=8).map(lambda d: urlencode(d).encode()),
        ),
        with_valid_fields=st.booleans(),
        fmt=st.sampled_from(["json", "xml"]),
    )
    def test_any_body(self, content_type, body, with_valid_fields, fmt):
        if with_valid_fields:
            body = urlencode(self.valid()).encode() + b"&" + body
        response = self.client.generic(
            "POST", f"/open311/v2/requests.{fmt}", body, content_type=content_type
        )
        spec_body(response, fmt)
