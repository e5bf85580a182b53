"""Indexes for the staff appeals list at a million appeals: each filter with the list's order
behind it, and on PostgreSQL the title search through GIN indexes.

- Three characters or more: pg_trgm's trigram index on UPPER(title), the expression
  Django's icontains compares, so `title__icontains` uses it as it is. Needs the extension:
  CREATE EXTENSION is tried in a savepoint; where the role may not create it, the migration
  logs a warning and the search stays a scan (slower, still correct) until an administrator
  creates the extension and runs TRIGRAM_INDEX below by hand.
- Two characters: trigrams need three, so a GIN index over the array of the title's
  two-character pairs (`meetings_title_pairs`, plain SQL, no extension), which
  `meetings.queries.appeals_matching` asks with `@>`. Its statistics keep 1,000 (up to
  10,000 most common pairs) so a rare pair is estimated as rare: with the default, any pair
  missing from the top 133 was guessed at 0.5% of the rows and the planner walked the
  whole table backwards calling the function on each row (930 ms for a pair in 499 rows of
  a million; 1 ms through the index).
"""

import logging

from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

logger = logging.getLogger(__name__)

PAIRS_FUNCTION = """
CREATE OR REPLACE FUNCTION meetings_title_pairs(title text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(upper(title), i, 2)), '{}')
    FROM generate_series(1, char_length(title) - 1) AS i
$$
"""
PAIRS_INDEX = (
    "CREATE INDEX IF NOT EXISTS appeal_title_pairs_idx ON meetings_appeal "
    "USING gin (meetings_title_pairs(title))"
)
TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS appeal_title_trgm_idx ON meetings_appeal "
    "USING gin (upper(title) gin_trgm_ops)"
)


def create_search_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return  # SQLite searches with a plain icontains
    with connection.cursor() as cursor:
        cursor.execute(PAIRS_FUNCTION)
        cursor.execute(PAIRS_INDEX)
        cursor.execute("ALTER INDEX appeal_title_pairs_idx ALTER COLUMN 1 SET STATISTICS 1000")
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as error:
            logger.warning("pg_trgm not available (%s): title search without its index", error)
            return
        cursor.execute(TRIGRAM_INDEX)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS appeal_title_trgm_idx")
        cursor.execute("DROP INDEX IF EXISTS appeal_title_pairs_idx")
        cursor.execute("DROP FUNCTION IF EXISTS meetings_title_pairs(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("branches", "0005_member_phones_in_ascii_digits"),
        ("meetings", "0016_notification_measure_reminder"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(fields=["source", "id"], name="appeal_list_source_idx"),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(fields=["category", "id"], name="appeal_list_category_idx"),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(fields=["status", "id"], name="appeal_list_status_idx"),
        ),
        migrations.AddIndex(
            model_name="appeal",
            index=models.Index(fields=["estate", "id"], name="appeal_list_estate_idx"),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
