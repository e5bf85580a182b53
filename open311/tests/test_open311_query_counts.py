"""Each endpoint runs the same number of queries whatever the number of appeals (or of
services): a search returning a thousand requests costs what one returning ten does."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Appeal, AppealCategory
from meetings.tracking import ALPHABET


def _codes():
    for letters in itertools.product(ALPHABET, repeat=4):
        yield "QQQQ" + "".join(letters)


@pytest.fixture
def appeals(filed, world):
    """`more(n)`: n appeals more of A and of B, copies of one filed through the API."""
    model = filed()
    codes = _codes()

    def more(n):
        copies = []
        for i in range(n):
            copy = Appeal.objects.get(pk=model.pk)
            copy.pk = None
            copy.code = next(codes)
            if i % 2:
                copy.estate, copy.building = world.a_estate2, None
            copies.append(copy)
        Appeal.objects.bulk_create(copies)

    return more


def _count(client, path, params=None) -> tuple[int, bytes]:
    """The statements that read (not the request's transaction's savepoints) and the body."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200, response.content[:300]
    reads = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    return len(reads), response.content


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_search(client, appeals, town_key, fmt):
    path, params = f"/open311/v2/requests.{fmt}", {"api_key": town_key[1]}
    appeals(9)
    few, body = _count(client, path, params)
    assert body.count(b"QQQQ-") == 9
    appeals(990)
    many, body = _count(client, path, params)
    assert body.count(b"QQQQ-") == 999  # and the one filed
    assert few == many <= 2  # the key, the requests


def test_a_search_by_ids(client, appeals, town_key):
    appeals(9)
    codes = list(Appeal.objects.values_list("code", flat=True))
    path, key = "/open311/v2/requests.json", town_key[1]
    few, _ = _count(client, path, {"service_request_id": ",".join(codes[:2]), "api_key": key})
    appeals(990)
    codes = list(Appeal.objects.values_list("code", flat=True)[:50])
    many, body = _count(client, path, {"service_request_id": ",".join(codes), "api_key": key})
    assert body.count(b"service_request_id") == 50
    assert few == many <= 2  # the key, the requests


def test_one_request(client, appeals, filed, community_key):
    code = filed().display_code
    appeals(9)
    few, _ = _count(client, f"/open311/v2/requests/{code}.json")
    few_keyed, _ = _count(client, f"/open311/v2/requests/{code}.xml", {"api_key": community_key[1]})
    appeals(990)
    assert _count(client, f"/open311/v2/requests/{code}.json")[0] == few <= 1
    keyed, _ = _count(client, f"/open311/v2/requests/{code}.xml", {"api_key": community_key[1]})
    assert keyed == few_keyed <= 2  # the key, the request


def test_services_and_discovery(client, category):
    few_services, _ = _count(client, "/open311/v2/services.json")
    few_definition, _ = _count(client, f"/open311/v2/services/{category.pk}.xml")
    discovery, _ = _count(client, "/open311/v2/discovery.json")
    AppealCategory.objects.bulk_create(
        AppealCategory(name=f"类别{i}", name_en=f"Category {i}", position=i) for i in range(100)
    )
    many_services, body = _count(client, "/open311/v2/services.json")
    assert body.count(b"service_code") >= 101
    assert many_services == few_services <= 1
    assert _count(client, f"/open311/v2/services/{category.pk}.xml")[0] == few_definition <= 1
    assert _count(client, "/open311/v2/discovery.xml")[0] == discovery == 0
