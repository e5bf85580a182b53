"""/healthz when the database answers. When it refuses or hangs: test_database_down.py, on
the site run as in production."""


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"db": "ok"}
    assert "no-cache" in response["Cache-Control"]
