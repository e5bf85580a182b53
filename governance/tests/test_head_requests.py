"""HEAD on the public pages answers like GET without the body (uptime monitors and link
checkers send HEAD; it was 405 Method Not Allowed), and other methods are still refused."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/", "/appeals/new/", "/appeals/track/", "/scoreboard/", "/reports/"]


@pytest.mark.parametrize("path", PAGES)
def test_head_answers_like_get_without_a_body(client, world, path):
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == 200
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == got["Content-Type"]


@pytest.mark.parametrize("path", ["/", "/scoreboard/", "/reports/"])
def test_other_methods_are_still_refused(client, world, path):
    assert client.put(path).status_code == 405
