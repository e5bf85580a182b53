"""/healthz names each part's state for load balancers and monitoring: the database (its
"db" key, which load balancers read: 200 while it answers), the read replica, the broker,
the periodic jobs and the late messages; public, so it names no host, address or error.
When the database refuses or hangs: test_database_down.py, on the site run as in
production. Each other part has its own module (test_healthz_*.py, test_replica_*.py)."""

import json


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["db"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_names_each_part(client, db):
    parts = client.get("/healthz").json()
    assert set(parts) == {"db", "replica", "broker", "sweeps", "undelivered"}
    assert set(parts["replica"]) == {"state", "lag_seconds"}
    assert set(parts["broker"]) == {"state"}
    assert set(parts["sweeps"]) == {"state", "age_seconds"}
    assert set(parts["undelivered"]) == {"state", "older_than_an_hour"}


def test_healthz_names_no_host_url_or_error(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://secret-broker.example:1/0"  # refused: an error
    body = client.get("/healthz").content.decode()
    assert json.loads(body)["broker"] == {"state": "down"}
    database = settings.DATABASES["default"]
    for secret in (
        "secret-broker",
        "redis://",
        "postgres",
        str(database.get("HOST") or "127.0.0.1"),
        str(database["NAME"]),
        settings.SECRET_KEY,
        "rror",  # no error's text ("Error 111 connecting ...")
    ):
        assert secret not in body
