"""Database triggers for the rules a plain constraint cannot express across tables:
a group covers only buildings of its own estate, and a member's group is of the member's
estate. The same conditions are checked in the models' clean() for a friendly message;
these make the database refuse what slips past a form.

SQLite drops a table's triggers when a migration rebuilds the table: a later migration that
alters these tables must run `same_estate_triggers.create` again (the constraint tests fail
otherwise)."""

from django.db import migrations

from branches import same_estate_triggers


class Migration(migrations.Migration):
    dependencies = [("branches", "0001_initial")]

    operations = [
        migrations.RunPython(same_estate_triggers.create, same_estate_triggers.drop),
    ]
