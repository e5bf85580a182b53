import pytest

from meetings.api_keys import issue_key
from meetings.models import Appeal


@pytest.fixture
def community_key(world):
    """A key for community A (光达社区), issued by the superuser: (row, key)."""
    return issue_key(client="12345热线", community=world.a, by=world.superuser)


@pytest.fixture
def town_key(world):
    return issue_key(client="县网格平台", town=world.town, by=world.superuser)


@pytest.fixture
def post(client):
    """POST a new service request as a client system would (form-encoded)."""

    def send(data, fmt="json", **extra):
        return client.post(f"/open311/v2/requests.{fmt}", data, **extra)

    return send


@pytest.fixture
def request_data(world, category, community_key):
    """What a client system sends to file a valid request in A's first building, with A's
    key; a test changes a copy."""
    return {
        "api_key": community_key[1],
        "service_code": str(category.pk),
        "address_id": str(world.a_building.pk),
        "description": "3单元楼道灯一周没亮，晚上看不清台阶。",
        "attribute[title]": "楼道灯坏了",
        "first_name": "阿姨",
        "last_name": "张",
        "phone": "13912345678",
    }


@pytest.fixture
def filed(post, request_data):
    """File a request through the API (changes to the valid data as keyword arguments) and
    return the appeal it made."""

    def make(**changes):
        response = post({**request_data, **changes})
        assert response.status_code == 200, response.content.decode()
        code = response.json()[0]["service_request_id"]
        return Appeal.objects.get(code=code.replace("-", ""))

    return make
