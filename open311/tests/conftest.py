import pytest

from meetings.api_keys import issue_key


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
