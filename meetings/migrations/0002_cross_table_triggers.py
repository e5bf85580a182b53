from django.db import migrations

from branches.db_triggers import operation
from meetings.db_rules import RULES


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [operation(RULES)]
