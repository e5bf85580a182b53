"""Settings are read from the environment; each case starts a fresh Python process with
exactly the environment a deployer would set."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "engine": s.DATABASES["default"]["ENGINE"],
    "db_name": str(s.DATABASES["default"]["NAME"]),
    "cache": s.CACHES["default"]["BACKEND"],
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "broker": s.CELERY_BROKER_URL,
    "broker_timeout": s.CELERY_BROKER_CONNECTION_TIMEOUT,
    "hosts": s.ALLOWED_HOSTS,
    "email": s.EMAIL_BACKEND,
    "email_timeout": s.EMAIL_TIMEOUT,
    "tz": [s.TIME_ZONE, s.CELERY_TIMEZONE, s.USE_TZ],
    "language": s.LANGUAGE_CODE,
    "serializers": [s.CELERY_ACCEPT_CONTENT, s.CELERY_TASK_SERIALIZER],
}))
"""


def run_settings(code=PRINT_SETTINGS, **env):
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean["DJANGO_SETTINGS_MODULE"] = "governance.settings"
    clean.update(env)
    # a developer's .env must not leak into these cases
    clean.setdefault("DEBUG", "false")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_secret_key_with_debug_off_fails_with_a_clear_message():
    result = run_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_on_runs_without_a_secret_key_on_the_embedded_defaults():
    result = run_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["debug"] is True
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["cache"].endswith("LocMemCache")
    assert s["eager"] is True
    assert s["tz"] == ["Asia/Shanghai", "Asia/Shanghai", True]
    assert s["language"] == "zh-hans"
    assert s["serializers"] == [["json"], "json"]


def test_database_redis_and_email_urls_switch_to_real_services():
    result = run_settings(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://app@db.example:5432/governance",
        REDIS_URL="redis://cache.example:6379/1",
        EMAIL_URL="smtp://mail.example:25",
        ALLOWED_HOSTS="gov.example,www.gov.example",
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["debug"] is False
    assert s["engine"] == "governance.postgresql"  # Django's, with a health check that gives up
    assert s["db_name"] == "governance"
    assert s["cache"].endswith("RedisCache")
    assert s["eager"] is False
    assert s["broker"] == "redis://cache.example:6379/1"
    assert s["broker_timeout"] <= 1
    assert s["hosts"] == ["gov.example", "www.gov.example"]
    assert s["email"].endswith("smtp.EmailBackend")
    assert 0 < s["email_timeout"] <= 30


def test_a_malformed_debug_value_is_refused():
    result = run_settings(DEBUG="maybe", SECRET_KEY="x" * 50)
    # not read as "off" silently: a typo in DEBUG stops the start with a clear message
    assert result.returncode != 0
    assert "DEBUG" in result.stderr and "maybe" in result.stderr


@pytest.mark.parametrize(
    ("value", "debug"), [("true", True), ("on", True), ("0", False), ("False", False)]
)
def test_debug_reads_the_usual_words(value, debug):
    result = run_settings(DEBUG=value, SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is debug


def test_env_example_lists_every_variable_the_settings_read():
    import re

    source = (ROOT / "governance" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, re.M))
    assert read and read == listed


def test_the_example_environment_starts_the_site_and_empty_values_count_as_unset():
    import re

    example = (ROOT / ".env.example").read_text()
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", example, re.M))
    values.update(DATABASE_URL="", EMAIL_URL="", REDIS_URL="", STATIC_ROOT="")
    result = run_settings(**values)
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["eager"] is True


def test_a_blank_secret_key_counts_as_missing():
    result = run_settings(DEBUG="false", SECRET_KEY="   ")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
