"""The rule on branches_estate that keeps an estate with appeals in its community
(meetings.db_rules.ESTATE_RULES) again: branches 0009 rebuilds that table on SQLite, which
drops its triggers."""

from django.db import migrations

from branches.db_triggers import operation
from meetings.db_rules import ESTATE_RULES


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0020_open311_api_keys"),
        ("branches", "0009_coordinates"),
    ]

    operations = [operation(ESTATE_RULES)]
