"""What the browser tests share: Debian's Chromium at /usr/bin/chromium, driven by
Playwright (nothing is downloaded). Without it a browser test module is skipped, unless
REQUIRE_BROWSER is set (as CI does): then its tests fail. Screenshots go to SHOTS for a
human to look at.

A module calls `skip_module_without_browser()` after importing this, and takes the
`browser` fixture (meetings/tests/conftest.py)."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls of a test (set-up,
# checks against the database) are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path("/tmp/browser-shots")
TIMEOUT_MS = 15_000
REQUIRED = bool(os.environ.get("REQUIRE_BROWSER"))

MISSING = None
if not os.path.exists(CHROMIUM):
    MISSING = f"no browser at {CHROMIUM} (install Debian's chromium package)"
else:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - playwright is in requirements
        MISSING = "the playwright package is not installed"


def skip_module_without_browser() -> None:
    if MISSING and not REQUIRED:
        pytest.skip(f"Browser test skipped: {MISSING}", allow_module_level=True)


@contextmanager
def launched_chromium():
    if MISSING:  # only reached when REQUIRE_BROWSER is set
        pytest.fail(f"REQUIRE_BROWSER is set but {MISSING}")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright runs, asgiref sees an event loop in this thread, so the test's
            # ORM calls get a DB connection of their own; close it here, or PostgreSQL cannot
            # drop the test database at the end of the run ("being accessed by other users").
            connections.close_all()
