"""The appeals of meetings' tests (an incident may come from one), and incidents recorded as
a clerk records them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.tests.conftest import department, new_appeal  # noqa: F401 - fixtures
from zeroindex.services import incident_record


@pytest.fixture
def new_incident(world):
    """Record an incident in A's first estate, by its secretary, yesterday evening."""

    def make(**overrides):
        fields = {
            "estate": world.a_estate,
            "building": world.a_building,
            "category": "pollution",
            "occurred_at": timezone.now() - timedelta(hours=20),
            "description": "餐馆油烟直排，居民投诉气味大。",
            "by": world.secretary_a1,
        }
        fields.update(overrides)
        return incident_record(**fields)

    return make


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright (see meetings/tests/browser.py)."""
    from meetings.tests.browser import launched_chromium

    with launched_chromium() as chromium:
        yield chromium
