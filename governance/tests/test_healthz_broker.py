"""/healthz says whether the Celery broker answers: "ok", "down" when it refuses or does
not answer in time (a broker that hangs does not hold the answer), "not configured" when
tasks run in-process. A broker that is down is no reason to take the site out of service:
still 200 (messages wait in the database for the sweep)."""

import pytest

from .live_site import SilentServer, free_port


def broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    return response.json()["broker"]["state"]


def test_a_broker_that_refuses_connections_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    assert broker(client) == "down"


def test_a_broker_that_never_answers_is_down(client, db, settings):
    server = SilentServer()
    try:
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{server.port}/0"
        assert broker(client) == "down"
    finally:
        server.close()


def test_a_broker_that_answers_is_ok(client, db, settings):
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (REDIS_URL)")
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    assert broker(client) == "ok"


def test_without_a_broker_it_is_not_configured(client, db, settings):
    settings.CELERY_BROKER_URL = "memory://localhost/"
    assert broker(client) == "not configured"
