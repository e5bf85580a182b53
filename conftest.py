"""Shared personas: two communities of one town, and a staff user for every role.

`world.a_*` objects belong to community A (where `staff_a` and `secretary_a1` work),
`world.b_*` to community B (where `staff_b` works): every outsider test opens B's records
as A's staff and expects "not found"."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from branches.models import StaffRole
from branches.services import group_set_buildings, group_set_leader
from branches.tests.factories import (
    BuildingFactory,
    BuildingGroupFactory,
    CommunityFactory,
    EstateFactory,
    MemberCategoryFactory,
    MemberFactory,
    StaffScopeFactory,
    TownFactory,
    UserFactory,
)
from meetings.models import AppealCategory
from meetings.queries import public_form_choices_forget

# Every log line of the run, searched at its end for phones, codes and names (issue 14).
pytest_plugins = ["governance.tests.log_leaks"]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    public_form_choices_forget()  # the form's choices, kept per process
    yield
    cache.clear()
    public_form_choices_forget()


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """The texts of one test, and their keys: a key another test sent is not a repeat."""
    from meetings.sms import MemoryBackend

    MemoryBackend.reset()
    yield
    MemoryBackend.reset()


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """A request in English leaves English active in the thread (the middleware activates a
    language and, like Django's own, leaves it): the next test starts in the site's."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def world(db):
    w = SimpleNamespace()
    w.town = TownFactory(name="黄兴镇")
    w.category = MemberCategoryFactory(name="社区直管党员")
    w.other_category = MemberCategoryFactory(name="离退休党员")
    w.a = CommunityFactory(town=w.town, name="光达社区")
    w.b = CommunityFactory(town=w.town, name="金星社区")
    w.a_estate = EstateFactory(community=w.a, name="新都城")
    w.a_estate2 = EstateFactory(community=w.a, name="新城景苑")
    w.b_estate = EstateFactory(community=w.b, name="金星花园")
    for prefix, estate in (("a", w.a_estate), ("a2", w.a_estate2), ("b", w.b_estate)):
        building = BuildingFactory(estate=estate, name=f"{prefix}-1栋")
        group = BuildingGroupFactory(estate=estate, name=f"{prefix}-党小组")
        group_set_buildings(group=group, buildings=[building])
        member = MemberFactory(
            estate=estate, group=group, name=f"{prefix}-党员", category=w.category
        )
        group_set_leader(group=group, member=member)
        setattr(w, f"{prefix}_building", building)
        setattr(w, f"{prefix}_group", group)
        setattr(w, f"{prefix}_member", member)

    w.superuser = UserFactory(username="root", is_superuser=True)
    w.town_user = StaffScopeFactory(
        user__username="town", role=StaffRole.TOWN_COMMITTEE, town=w.town
    ).user
    w.staff_a = StaffScopeFactory(
        user__username="guangda", role=StaffRole.COMMUNITY_STAFF, community=w.a
    ).user
    w.secretary_a1 = StaffScopeFactory(
        user__username="xinducheng", role=StaffRole.BRANCH_SECRETARY, estate=w.a_estate
    ).user
    w.staff_b = StaffScopeFactory(
        user__username="other", role=StaffRole.COMMUNITY_STAFF, community=w.b
    ).user
    return w


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright (see meetings/tests/browser.py), for
    the browser tests of every app."""
    from meetings.tests.browser import launched_chromium

    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def category(db):
    # seeded by a migration; a transactional test flushes it, so make sure it is there
    return AppealCategory.objects.get_or_create(name="物业管理")[0]


@pytest.fixture
def form_data(world, category):
    """What a resident sends on the public form for a valid filing; a test changes a copy."""
    return {
        "estate": world.a_estate.pk,
        "building": world.a_building.pk,
        "category": category.pk,
        "title": "楼道灯坏了",
        "description": "3单元楼道灯一周没亮。",
        "contact_name": "张阿姨",
        "contact_phone": "13912345678",
        "consent": "on",
    }


@pytest.fixture(scope="session", autouse=True)
def _append_only_tables_flushable():
    """A live-server or `transaction=True` test ends with Django's flush, which on SQLite is
    a DELETE that the ledger's append-only triggers refuse (PostgreSQL's TRUNCATE fires no
    row trigger). On SQLite the flush lifts the triggers for its own DELETE and puts them
    back, so every test still runs against a ledger the database keeps append-only."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from branches.db_triggers import APPEND_ONLY_TABLES, append_only_drop_sql, append_only_sql

    DatabaseOperations = DatabaseWrapper.ops_class
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *args, **kwargs):
        statements = original(self, style, tables, *args, **kwargs)
        lifted = [table for table in APPEND_ONLY_TABLES if table in tables]
        if not statements or not lifted:
            return statements
        return [
            *append_only_drop_sql("sqlite", lifted),
            *statements,
            *append_only_sql("sqlite", lifted),
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original
