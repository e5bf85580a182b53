"""Rotating SECRET_KEY (docs/operations.md): with the old key in SECRET_KEY_FALLBACKS, what it
signed (a staff member's log-in, the signed cookie that carries the admin's "done" messages
across a redirect) still holds under the new key; without it, it does not. Each case is a
fresh Python process with only the deployer's environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OLD = "old-key-" + "o" * 50
NEW = "new-key-" + "n" * 50

# A staff user as the database would give it back (no database needed to sign or check).
USER = """
import django, json, sys
django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.utils.crypto import constant_time_compare
user = User(pk=7, username="guangda", email="g@example.cn", password="md5$salt$hash")
"""
SIGN_ONLY = """
cookie = signing.get_cookie_signer(salt="django.contrib.messages").sign("done")
print(json.dumps({"session_hash": user.get_session_auth_hash(), "cookie": cookie}))
"""
CHECK_ONLY = """
signed = json.loads(sys.stdin.read())
# What django.contrib.auth.get_user compares a session's hash with: the current key's, then
# each fallback's.
hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
try:
    cookie = signing.get_cookie_signer(salt="django.contrib.messages").unsign(signed["cookie"])
except signing.BadSignature:
    cookie = None
print(json.dumps({
    "fallbacks": settings.SECRET_KEY_FALLBACKS,
    "still_logged_in": any(constant_time_compare(signed["session_hash"], h) for h in hashes),
    "cookie_valid": cookie == "done",
}))
"""
SIGN = USER + SIGN_ONLY
CHECK = USER + CHECK_ONLY


def run(code, *, stdin="", **env):
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update(DJANGO_SETTINGS_MODULE="governance.settings", DEBUG="false", **env)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def signed_with_old_key() -> str:
    return json.dumps(run(SIGN, SECRET_KEY=OLD))


def test_with_the_old_key_as_fallback_staff_stay_logged_in_and_signed_cookies_hold():
    after = run(
        CHECK, stdin=signed_with_old_key(), SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=f" {OLD} ,"
    )
    assert after["fallbacks"] == [OLD]
    assert after["still_logged_in"] is True
    assert after["cookie_valid"] is True


def test_without_the_fallback_the_old_keys_log_ins_and_cookies_are_void():
    after = run(CHECK, stdin=signed_with_old_key(), SECRET_KEY=NEW, SECRET_KEY_FALLBACKS="")
    assert after["fallbacks"] == []
    assert after["still_logged_in"] is False
    assert after["cookie_valid"] is False


def test_several_fallbacks_are_all_accepted():
    after = run(
        CHECK,
        stdin=signed_with_old_key(),
        SECRET_KEY=NEW,
        SECRET_KEY_FALLBACKS=f"older-key-{'x' * 50},{OLD}",
    )
    assert after["fallbacks"] == [f"older-key-{'x' * 50}", OLD]
    assert after["still_logged_in"] is True
