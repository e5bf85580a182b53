from django.db import migrations

from branches.db_triggers import operation
from zeroindex.db_rules import RULES


class Migration(migrations.Migration):
    dependencies = [("zeroindex", "0001_initial")]

    operations = [operation(RULES)]
