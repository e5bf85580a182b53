"""The filing limit holds when many appeals arrive from one network at the same moment:
exactly the limit is stored, everyone else gets the please-wait page.

The concurrent test runs real HTTP requests in threads against the live server, on
PostgreSQL (SQLite serialises all writers, so the race cannot show there)."""

import http.client
import re
import threading
import urllib.parse
from collections import Counter
from http.cookies import SimpleCookie

import pytest
from django.db import connection
from django.test import override_settings

from meetings.models import Appeal

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _resident(url: str) -> dict:
    """A browser of its own: the form page opened (its cookies and CSRF token), and a
    connection to the server already open, so that only the POST is left to send."""
    parts = urllib.parse.urlsplit(url)
    page = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    page.request("GET", parts.path)
    response = page.getresponse()
    html = response.read().decode()
    cookies = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie"):
        cookies.load(header)
    page.close()
    post = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    post.connect()
    return {
        "connection": post,
        "path": parts.path,
        "cookie": "; ".join(f"{k}={m.value}" for k, m in cookies.items()),
        "token": CSRF.search(html).group(1),
        "referer": url,
    }


def _send(resident: dict, data: dict) -> tuple[int, str]:
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": resident["token"]})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": resident["cookie"],
        "Referer": resident["referer"],
    }
    connection = resident["connection"]
    connection.request("POST", resident["path"], body=body, headers=headers)
    response = connection.getresponse()
    answer = response.status, response.read().decode()
    connection.close()
    return answer


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises all writers",
)
# The live server speaks plain HTTP: its cookies must come back without TLS.
@override_settings(APPEAL_SUBMIT_LIMIT=5, CSRF_COOKIE_SECURE=False, SESSION_COOKIE_SECURE=False)
def test_thirty_appeals_at_once_from_one_network_store_exactly_the_limit(live_server, form_data):
    url = f"{live_server.url}/appeals/new/"
    residents = [_resident(url) for _ in range(30)]
    start = threading.Barrier(len(residents))
    answers = []

    def file(n, resident):
        start.wait()
        try:
            answers.append(_send(resident, {**form_data, "title": f"第{n}件"}))
        except Exception as error:  # noqa: BLE001 - shown in the assertion below
            answers.append((repr(error), ""))

    threads = [
        threading.Thread(target=file, args=(n, resident)) for n, resident in enumerate(residents)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert Counter(status for status, _ in answers) == {302: 5, 429: 25}
    assert Appeal.objects.count() == 5
    assert all("请稍后再试" in html for status, html in answers if status == 429)
