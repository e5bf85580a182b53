"""Every page carries a strict Content-Security-Policy (no inline script or style, nothing
from elsewhere, never in a frame) and a Permissions-Policy that turns the camera, the
microphone and location off; over HTTPS, HSTS. In production (DEBUG off) plain HTTP is
redirected to HTTPS, except /healthz, which a load balancer asks over plain HTTP; the
production environment passes `check --deploy` without a warning."""

import json
import os
import subprocess
import sys

import pytest

from governance.tests.test_settings_from_environment import ROOT, run_settings

PROXY = "127.0.0.1"
PAGES = ["/", "/appeals/new/", "/appeals/track/", "/accounts/login/", "/admin/login/"]


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    parts = (part.split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_a_strict_content_security_policy(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"][0] == "'self'"
    assert all(s.startswith("'nonce-") for s in csp["style-src"][1:])
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]


@pytest.mark.parametrize("url", ["/", "/appeals/new/", "/admin/login/"])
def test_pages_turn_off_camera_microphone_and_location(client, db, url):
    header = client.get(url).headers.get("Permissions-Policy", "")
    features = dict(part.strip().split("=", 1) for part in header.split(",") if part.strip())
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features.get(feature) == "()", f"{feature} not turned off: {header!r}"


def test_over_https_the_browser_is_told_to_stay_on_https(client, db, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    response = client.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    hsts = response.headers.get("Strict-Transport-Security", "")
    assert f"max-age={settings.SECURE_HSTS_SECONDS}" in hsts
    assert settings.SECURE_HSTS_SECONDS >= 365 * 24 * 3600


def test_plain_http_is_redirected_but_the_health_check_answers(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/").status_code == 301
    assert client.get("/appeals/new/").status_code == 301
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["db"] == "ok"


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "production-like-" + "k3y" * 20,
    "ALLOWED_HOSTS": "gov.example.cn",
    "CSRF_TRUSTED_ORIGINS": "https://gov.example.cn",
    "DATABASE_URL": "postgres://app@db.example:5432/governance",
    "REDIS_URL": "redis://cache.example:6379/0",
    "TRUSTED_PROXIES": "127.0.0.1",
}

PRINT_HTTPS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps([s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,
                  s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD]))
"""


def https_settings(**env):
    result = run_settings(**env, code=PRINT_HTTPS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_redirects_to_https_and_sends_hsts_by_default():
    redirect, seconds, subdomains, preload = https_settings(**PRODUCTION)
    assert redirect is True
    assert seconds >= 365 * 24 * 3600
    assert subdomains is True
    assert preload is False  # a decision for the domain's owner (hstspreload.org)


def test_https_settings_come_from_the_environment():
    env = {
        **PRODUCTION,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "3600",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "false",
        "SECURE_HSTS_PRELOAD": "true",
    }
    assert https_settings(**env) == [False, 3600, False, True]


def test_development_neither_redirects_nor_sends_hsts():
    redirect, seconds, _subdomains, _preload = https_settings(DEBUG="true")
    assert redirect is False and seconds == 0


def test_the_production_environment_passes_the_deploy_check_without_a_warning():
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "governance.settings", **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
