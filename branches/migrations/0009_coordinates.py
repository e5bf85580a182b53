"""Optional coordinates on estates and buildings (issue 13: the Open311 API finds the place
of a report by its position), both or neither, within range, indexed for the bounding box
of branches.places.

SQLite rebuilds a table to add a check constraint. Its last step, the rename, fails while a
trigger of another table names the table (meetings' appeals and meetings, the groups here),
so those triggers are taken out and put back around the rebuild; and the rebuild drops the
table's own triggers: the organisation tree's rules are applied again at the end
(branches.db_triggers). The meetings rule on branches_estate is applied again by meetings
0020, which depends on this migration."""

import django.core.validators
from django.conf import settings
from django.db import migrations, models

from branches.db_triggers import SAME_ESTATE_RULES, operation, triggers_naming_kept


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0008_ledger_rows_keep_their_people"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *triggers_naming_kept(
            ("branches_estate", "branches_building"),
            [
                migrations.AddField(
                    model_name="building",
                    name="latitude",
                    field=models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(-90),
                            django.core.validators.MaxValueValidator(90),
                        ],
                        help_text="In degrees as GPS gives them (WGS 84), for example 28.180000 and 113.130000; not the shifted ones of Chinese online maps (GCJ-02, BD-09).",
                        verbose_name="latitude",
                    ),
                ),
                migrations.AddField(
                    model_name="building",
                    name="longitude",
                    field=models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(-180),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        help_text="In degrees as GPS gives them (WGS 84), for example 28.180000 and 113.130000; not the shifted ones of Chinese online maps (GCJ-02, BD-09).",
                        verbose_name="longitude",
                    ),
                ),
                migrations.AddField(
                    model_name="estate",
                    name="latitude",
                    field=models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(-90),
                            django.core.validators.MaxValueValidator(90),
                        ],
                        help_text="In degrees as GPS gives them (WGS 84), for example 28.180000 and 113.130000; not the shifted ones of Chinese online maps (GCJ-02, BD-09).",
                        verbose_name="latitude",
                    ),
                ),
                migrations.AddField(
                    model_name="estate",
                    name="longitude",
                    field=models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=9,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(-180),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        help_text="In degrees as GPS gives them (WGS 84), for example 28.180000 and 113.130000; not the shifted ones of Chinese online maps (GCJ-02, BD-09).",
                        verbose_name="longitude",
                    ),
                ),
                migrations.AddIndex(
                    model_name="building",
                    index=models.Index(
                        fields=["latitude", "longitude"], name="building_coordinates_idx"
                    ),
                ),
                migrations.AddIndex(
                    model_name="estate",
                    index=models.Index(
                        fields=["latitude", "longitude"], name="estate_coordinates_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="building",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("latitude__isnull", True), ("longitude__isnull", True)),
                            models.Q(("latitude__isnull", False), ("longitude__isnull", False)),
                            _connector="OR",
                        ),
                        name="building_coordinates_both_or_neither",
                        violation_error_message="Give both the latitude and the longitude, or neither.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="building",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("latitude__isnull", True),
                            models.Q(("latitude__gte", -90), ("latitude__lte", 90)),
                            _connector="OR",
                        ),
                        name="building_latitude_range",
                        violation_error_message="The latitude is between -90 and 90.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="building",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("longitude__isnull", True),
                            models.Q(("longitude__gte", -180), ("longitude__lte", 180)),
                            _connector="OR",
                        ),
                        name="building_longitude_range",
                        violation_error_message="The longitude is between -180 and 180.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="estate",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("latitude__isnull", True), ("longitude__isnull", True)),
                            models.Q(("latitude__isnull", False), ("longitude__isnull", False)),
                            _connector="OR",
                        ),
                        name="estate_coordinates_both_or_neither",
                        violation_error_message="Give both the latitude and the longitude, or neither.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="estate",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("latitude__isnull", True),
                            models.Q(("latitude__gte", -90), ("latitude__lte", 90)),
                            _connector="OR",
                        ),
                        name="estate_latitude_range",
                        violation_error_message="The latitude is between -90 and 90.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="estate",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("longitude__isnull", True),
                            models.Q(("longitude__gte", -180), ("longitude__lte", 180)),
                            _connector="OR",
                        ),
                        name="estate_longitude_range",
                        violation_error_message="The longitude is between -180 and 180.",
                    ),
                ),
            ],
        ),
        operation(SAME_ESTATE_RULES),
    ]
