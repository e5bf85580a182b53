"""A database that is down or hung: the site, run as in production (gunicorn, DEBUG off,
collectstatic), answers every page with a friendly 503 and Retry-After within seconds, and
/healthz answers 503 within 2 s, whether PostgreSQL refuses connections (a closed port),
accepts them and never answers (a silent server), or hangs while the site holds a
connection to it (a proxy to the real PostgreSQL that freezes; that case needs PostgreSQL).

A client timeout catches a hang: before the timeouts a silent server held every request
until gunicorn killed the worker after 30 s."""

import json

import pytest
from django.db import connection

from .live_site import (
    FreezingProxy,
    SilentServer,
    closed_port_url,
    collect_static,
    fetch,
    live_site,
)

PAGES = ["/", "/appeals/new/", "/admin/login/"]
PAGE_TIMEOUT = 12  # connect timeout (3 s), twice at most, and room on a busy machine
HEALTHZ_TIMEOUT = 2  # what a load balancer is promised


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    return collect_static(tmp_path_factory.mktemp("live") / "static")


@pytest.fixture(scope="module")
def refused_site(static_root):
    with live_site(closed_port_url(), static_root) as base:
        yield base


@pytest.fixture(scope="module")
def silent_site(static_root):
    server = SilentServer()
    try:
        with live_site(server.url, static_root) as base:
            yield base
    finally:
        server.close()


def assert_friendly_503(answer, language="zh-hans"):
    assert answer.status == 503, answer.body[:500]
    assert int(answer.headers["retry-after"]) > 0
    if language == "en":
        assert "The service is briefly unavailable" in answer.body
        assert "Nothing you typed was saved" in answer.body
    else:
        assert "服务暂时不可用" in answer.body
        assert "您填写的内容没有保存" in answer.body
    assert "bootstrap.min." in answer.body  # the site's look, from collectstatic


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_503_when_the_database_refuses_connections(refused_site, path):
    assert_friendly_503(fetch(refused_site, path, timeout=PAGE_TIMEOUT))


def test_the_503_page_is_in_english_after_the_language_switch(refused_site):
    answer = fetch(refused_site, "/appeals/new/", timeout=PAGE_TIMEOUT, language="en")
    assert_friendly_503(answer, language="en")


def test_healthz_answers_503_when_the_database_refuses_connections(refused_site):
    answer = fetch(refused_site, "/healthz", timeout=HEALTHZ_TIMEOUT)
    assert answer.status == 503
    assert json.loads(answer.body)["db"] == "error"


def test_healthz_says_what_it_cannot_know_without_the_database(refused_site):
    parts = json.loads(fetch(refused_site, "/healthz", timeout=HEALTHZ_TIMEOUT).body)
    assert parts["sweeps"] == {"state": "unknown", "age_seconds": None}
    assert parts["undelivered"] == {"state": "unknown", "older_than_an_hour": None}
    assert parts["broker"] == {"state": "not configured"}  # REDIS_URL unset: in-process


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_503_when_the_database_never_answers(silent_site, path):
    assert_friendly_503(fetch(silent_site, path, timeout=PAGE_TIMEOUT))


def test_healthz_answers_503_within_2_s_when_the_database_never_answers(silent_site):
    for _ in range(3):  # and again while the earlier checks are still waiting
        answer = fetch(silent_site, "/healthz", timeout=HEALTHZ_TIMEOUT)
        assert answer.status == 503
        assert json.loads(answer.body)["db"] == "timeout"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL) behind the proxy"
)
def test_a_database_that_hangs_while_connected_gives_503_not_a_hung_worker(static_root):
    db = connection.settings_dict
    proxy = FreezingProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    url = f"postgres://{db['USER']}{password}@127.0.0.1:{proxy.port}/postgres"
    try:
        with live_site(url, static_root) as base:
            assert fetch(base, "/", timeout=PAGE_TIMEOUT).status == 200
            assert json.loads(fetch(base, "/healthz", timeout=HEALTHZ_TIMEOUT).body)["db"] == "ok"
            proxy.freeze()  # the worker keeps its connection (CONN_MAX_AGE): now it hangs
            assert_friendly_503(fetch(base, "/", timeout=PAGE_TIMEOUT))
            answer = fetch(base, "/healthz", timeout=HEALTHZ_TIMEOUT)
            assert answer.status == 503 and json.loads(answer.body)["db"] == "timeout"
    finally:
        proxy.close()
