"""Five Zeros fixtures: a frozen local clock, incidents made through the services (backdated,
or recorded as a clerk records them), and the appeals of meetings' tests (an incident may
come from one)."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from meetings.tests.conftest import department, new_appeal  # noqa: F401 - fixtures
from zeroindex.services import incident_dismiss, incident_record, incident_verify, records_start_set


def local(*args) -> datetime:
    """An aware moment from local (Asia/Shanghai) wall-clock parts: local(2025, 1, 31, 23, 30)."""
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def clock(monkeypatch):
    """`clock(2026, 3, 15)` freezes "now" at that local moment (noon unless given)."""

    def freeze(year, month, day, hour=12, minute=0):
        moment = local(year, month, day, hour, minute)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze


@pytest.fixture
def incident(db):
    """`incident(estate, "pollution", local(...), status="verified", building=None)`: recorded
    (and verified or dismissed) through the services, at the moment it occurred."""

    def make(estate, category, occurred_at, *, status="verified", building=None):
        made = incident_record(
            estate=estate,
            building=building,
            category=category,
            occurred_at=occurred_at,
            description="楼道堆放杂物起火",
            at=occurred_at,
        )
        if status == "verified":
            made = incident_verify(incident=made, at=occurred_at)
        elif status == "dismissed":
            made = incident_dismiss(incident=made, reason="重复上报", at=occurred_at)
        return made

    return make


@pytest.fixture
def records_from(db):
    """`records_from(estate, 2025, 1)`: the estate's five-zero records start that month."""

    def set_start(estate, year, month):
        return records_start_set(estate=estate, month=date(year, month, 1))

    return set_start


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


from .survey_helpers import appeal_category, survey, task  # noqa: F401,E402
