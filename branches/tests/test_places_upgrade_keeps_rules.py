"""Upgrading a database to the coordinates keeps every rule that names the estate and
building tables. SQLite adds the coordinates' checks by rebuilding those tables, which drops
their own triggers and cannot even rename the new table while another table's trigger names
it: branches 0009 keeps those and applies the tree's rules again, meetings 0021 the rule that
an estate with appeals keeps its community."""

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from branches.db_triggers import SAME_ESTATE_RULES, operation
from branches.models import GroupBuilding
from meetings.db_rules import ESTATE_RULES
from meetings.models import Meeting
from meetings.rollup_models import AppealMonth

BEFORE = [
    ("branches", "0008_ledger_rows_keep_their_people"),
    ("meetings", "0019_message_kinds_org_life"),
]


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.fixture
def upgraded(world):
    """The database taken back to before the coordinates, with the rules a database there
    has, then migrated as an upgrade does."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] not in ("branches", "meetings")
    ]
    executor.migrate(BEFORE + others)
    with connection.schema_editor() as editor:  # taking it back dropped some
        for rules in (SAME_ESTATE_RULES, ESTATE_RULES):
            operation(rules).code(None, editor)
    call_command("migrate", verbosity=0)
    return world


@pytest.mark.django_db(transaction=True)
def test_the_rules_on_estates_and_buildings_hold_after_the_upgrade(upgraded):
    world = upgraded
    # the tree's rules: on the building table itself, and on a table naming it
    world.a_building.estate = world.b_estate
    refused(world.a_building.save)
    refused(lambda: GroupBuilding.objects.create(group=world.a_group, building=world.b_building))
    # meetings' rules: on the estate table itself, and on a table naming it
    AppealMonth.objects.create(month=datetime.date(2026, 1, 1), estate=world.a_estate)
    world.a_estate.community = world.b
    refused(world.a_estate.save)
    refused(lambda: Meeting.objects.create(type="forum", community=world.a, estate=world.b_estate))
