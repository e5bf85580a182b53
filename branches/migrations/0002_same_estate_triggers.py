"""Database triggers for the rules a plain constraint cannot express across tables:
a group covers only buildings of its own estate, and a member's group is of the member's
estate. The same conditions are checked in the models' clean() for a friendly message;
these make the database refuse what slips past a form. See branches/db_triggers.py."""

from django.db import migrations

from branches.db_triggers import SAME_ESTATE_RULES, operation


class Migration(migrations.Migration):
    dependencies = [("branches", "0001_initial")]

    operations = [operation(SAME_ESTATE_RULES)]
