"""The appeal categories every installation starts with (staff may edit the list)."""

from django.db import migrations

CATEGORIES = [
    "物业管理",  # property management
    "环境卫生",  # environment and sanitation
    "停车管理",  # parking
    "邻里纠纷",  # neighbour disputes
    "安全隐患",  # safety hazards
    "公共设施",  # public facilities
    "违章搭建",  # illegal construction
    "其他",  # other
]


def seed(apps, schema_editor):
    AppealCategory = apps.get_model("meetings", "AppealCategory")
    for position, name in enumerate(CATEGORIES):
        AppealCategory.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_cross_table_triggers")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
