"""The month roll-ups (meetings.rollups' MONTHS), filled from the daily ones already
stored, and the rule that keeps an estate with appeals in its community."""

import django.db.models.deletion
from django.db import migrations, models

from branches.db_triggers import operation
from meetings.db_rules import ESTATE_RULES

APPEAL = (
    "received, acknowledged, acknowledged_in_time, repeat, declined, closed_duplicate, "
    "withdrawn, closed_solved, closed_unreachable, closed, reopened, resolved, referred, "
    "extended"
)
VISIT = (
    "visits, reached, not_reached, solved, satisfaction_answered, satisfied, "
    "basically_satisfied, dissatisfied, on_time"
)
# (month table, daily table, place, kept key columns, count columns), as of this migration.
FOLDS = [
    ("appealmonth", "appealday", "estate_id", "", APPEAL),
    ("visitmonth", "visitday", "estate_id", "", VISIT),
    ("categorymonth", "appealday", "community_id", "category_id, source", APPEAL),
    (
        "statusmonth",
        "statusday",
        "community_id",
        "from_status, to_status, move, meeting_type",
        "n",
    ),
    ("statusdurationmonth", "statusduration", "community_id", "status, days", "n"),
]


def fold(apps, schema_editor):
    """Sum the stored daily rows into the month tables (frozen here: later code may
    change how the roll-ups are kept)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        month = "CAST(DATE_TRUNC('month', d.day) AS date)"
    else:
        month = "date(d.day, 'start of month')"
    for table, daily, place, kept, counts in FOLDS:
        place_sql = "e.community_id" if place == "community_id" else "d.estate_id"
        kept_sql = "".join(f", d.{c}" for c in kept.split(", ") if c)
        sums = ", ".join(f"SUM(d.{c})" for c in counts.split(", "))
        schema_editor.execute(
            f"INSERT INTO meetings_{table} (month, {place}{', ' + kept if kept else ''}, "
            f"{counts}) SELECT {month}, {place_sql}{kept_sql}, {sums} "
            f"FROM meetings_{daily} d JOIN branches_estate e ON e.id = d.estate_id "
            f"GROUP BY {month}, {place_sql}{kept_sql}"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('branches', '0005_member_phones_in_ascii_digits'),
        ('meetings', '0017_list_filter_and_search_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='AppealMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('received', models.PositiveIntegerField(db_default=0, default=0)),
                ('acknowledged', models.PositiveIntegerField(db_default=0, default=0)),
                ('acknowledged_in_time', models.PositiveIntegerField(db_default=0, default=0)),
                ('repeat', models.PositiveIntegerField(db_default=0, default=0)),
                ('declined', models.PositiveIntegerField(db_default=0, default=0)),
                ('closed_duplicate', models.PositiveIntegerField(db_default=0, default=0)),
                ('withdrawn', models.PositiveIntegerField(db_default=0, default=0)),
                ('closed_solved', models.PositiveIntegerField(db_default=0, default=0)),
                ('closed_unreachable', models.PositiveIntegerField(db_default=0, default=0)),
                ('closed', models.PositiveIntegerField(db_default=0, default=0)),
                ('reopened', models.PositiveIntegerField(db_default=0, default=0)),
                ('resolved', models.PositiveIntegerField(db_default=0, default=0)),
                ('referred', models.PositiveIntegerField(db_default=0, default=0)),
                ('extended', models.PositiveIntegerField(db_default=0, default=0)),
                ('estate', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.estate')),
            ],
            options={
                'indexes': [models.Index(fields=['estate', 'month'], name='appealmonth_estate_idx')],
                'constraints': [models.UniqueConstraint(fields=('month', 'estate'), name='appealmonth_key')],
            },
        ),
        migrations.CreateModel(
            name='CategoryMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('source', models.CharField(max_length=20)),
                ('received', models.PositiveIntegerField(db_default=0, default=0)),
                ('acknowledged', models.PositiveIntegerField(db_default=0, default=0)),
                ('acknowledged_in_time', models.PositiveIntegerField(db_default=0, default=0)),
                ('repeat', models.PositiveIntegerField(db_default=0, default=0)),
                ('declined', models.PositiveIntegerField(db_default=0, default=0)),
                ('closed_duplicate', models.PositiveIntegerField(db_default=0, default=0)),
                ('withdrawn', models.PositiveIntegerField(db_default=0, default=0)),
                ('closed_solved', models.PositiveIntegerField(db_default=0, default=0)),
                ('closed_unreachable', models.PositiveIntegerField(db_default=0, default=0)),
                ('closed', models.PositiveIntegerField(db_default=0, default=0)),
                ('reopened', models.PositiveIntegerField(db_default=0, default=0)),
                ('resolved', models.PositiveIntegerField(db_default=0, default=0)),
                ('referred', models.PositiveIntegerField(db_default=0, default=0)),
                ('extended', models.PositiveIntegerField(db_default=0, default=0)),
                ('category', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='meetings.appealcategory')),
                ('community', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.community')),
            ],
            options={
                'indexes': [models.Index(fields=['community', 'month'], name='categorymonth_community_idx')],
                'constraints': [models.UniqueConstraint(fields=('month', 'community', 'category', 'source'), name='categorymonth_key')],
            },
        ),
        migrations.CreateModel(
            name='StatusDurationMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('status', models.CharField(max_length=20)),
                ('days', models.IntegerField()),
                ('n', models.PositiveIntegerField(db_default=0, default=0)),
                ('community', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.community')),
            ],
            options={
                'indexes': [models.Index(fields=['community', 'month'], name='durationmonth_community_idx')],
                'constraints': [models.UniqueConstraint(fields=('month', 'community', 'status', 'days'), name='durationmonth_key'), models.CheckConstraint(condition=models.Q(('days__gte', 0)), name='durationmonth_days_not_negative')],
            },
        ),
        migrations.CreateModel(
            name='StatusMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('from_status', models.CharField(blank=True, max_length=20)),
                ('to_status', models.CharField(max_length=20)),
                ('move', models.CharField(max_length=30)),
                ('meeting_type', models.CharField(blank=True, max_length=20)),
                ('n', models.PositiveIntegerField(db_default=0, default=0)),
                ('community', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.community')),
            ],
            options={
                'indexes': [models.Index(fields=['community', 'month'], name='statusmonth_community_idx')],
                'constraints': [models.UniqueConstraint(fields=('month', 'community', 'from_status', 'to_status', 'move', 'meeting_type'), name='statusmonth_key')],
            },
        ),
        migrations.CreateModel(
            name='VisitMonth',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField()),
                ('visits', models.PositiveIntegerField(db_default=0, default=0)),
                ('reached', models.PositiveIntegerField(db_default=0, default=0)),
                ('not_reached', models.PositiveIntegerField(db_default=0, default=0)),
                ('solved', models.PositiveIntegerField(db_default=0, default=0)),
                ('satisfaction_answered', models.PositiveIntegerField(db_default=0, default=0)),
                ('satisfied', models.PositiveIntegerField(db_default=0, default=0)),
                ('basically_satisfied', models.PositiveIntegerField(db_default=0, default=0)),
                ('dissatisfied', models.PositiveIntegerField(db_default=0, default=0)),
                ('on_time', models.PositiveIntegerField(db_default=0, default=0)),
                ('estate', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='branches.estate')),
            ],
            options={
                'indexes': [models.Index(fields=['estate', 'month'], name='visitmonth_estate_idx')],
                'constraints': [models.UniqueConstraint(fields=('month', 'estate'), name='visitmonth_key')],
            },
        ),
        migrations.RunPython(fold, migrations.RunPython.noop),
        operation(ESTATE_RULES),
    ]
