"""Settings for the test suite: the real settings, read from the same environment
(DATABASE_URL, REDIS_URL), with what makes tests fast and self-contained."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client and the live server speak plain HTTP (the redirect has its own tests).
SECURE_SSL_REDIRECT = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# No collectstatic in tests: serve and name static files straight from static/.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
# Uploaded photos of the test run go to a throw-away folder.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="governance-test-media-"))  # noqa: F405
# Text messages are kept in memory for the tests to read.
SMS_BACKEND = "meetings.sms.MemoryBackend"
# Tasks run in-process unless a test starts a real worker (it then turns this off itself):
# a test must never leave messages in a shared Redis for nobody.
CELERY_TASK_ALWAYS_EAGER = True
