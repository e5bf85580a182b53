"""Rules across tables that a CHECK constraint cannot express, as triggers for SQLite and
PostgreSQL. Each app lists its rules and applies them in a migration with `operation(RULES)`.

A rule is (trigger name, table, columns whose change fires it, condition on NEW that must not
hold, message). Messages must not contain quotes.

SQLite drops a table's triggers when a migration rebuilds the table: a later migration that
alters one of these tables must apply `operation(...)` for its rules again (each app's
constraint tests fail otherwise). And the rebuild's last step, renaming the new table to the
old name, fails while a trigger on another table names the table ("error in trigger ...: no
such table"): wrap the rebuilding operations in `triggers_naming_kept(tables, operations)`."""

import re

from django.db import migrations

# The organisation tree's rules (branches migration 0002).
SAME_ESTATE_RULES = [
    (
        "group_building_same_estate",
        "branches_groupbuilding",
        ("group_id", "building_id"),
        "(SELECT estate_id FROM branches_building WHERE id = NEW.building_id)"
        " <> (SELECT estate_id FROM branches_buildinggroup WHERE id = NEW.group_id)",
        "a group may cover only buildings of its own estate",
    ),
    (
        "member_group_same_estate",
        "branches_member",
        ("group_id", "estate_id"),
        "NEW.group_id IS NOT NULL AND"
        " (SELECT estate_id FROM branches_buildinggroup WHERE id = NEW.group_id) <> NEW.estate_id",
        "a member and its group must be of the same estate",
    ),
    (
        "building_estate_keeps_groups",
        "branches_building",
        ("estate_id",),
        "EXISTS (SELECT 1 FROM branches_groupbuilding gb"
        " JOIN branches_buildinggroup g ON g.id = gb.group_id"
        " WHERE gb.building_id = NEW.id AND g.estate_id <> NEW.estate_id)",
        "a building in a group cannot move to another estate",
    ),
    (
        "group_estate_keeps_members",
        "branches_buildinggroup",
        ("estate_id",),
        "EXISTS (SELECT 1 FROM branches_groupbuilding gb"
        " JOIN branches_building b ON b.id = gb.building_id"
        " WHERE gb.group_id = NEW.id AND b.estate_id <> NEW.estate_id)"
        " OR EXISTS (SELECT 1 FROM branches_member m"
        " WHERE m.group_id = NEW.id AND m.estate_id <> NEW.estate_id)",
        "a group with buildings or members cannot move to another estate",
    ),
]


def _statements(vendor, rules):
    for name, table, columns, condition, message in rules:
        if vendor == "sqlite":
            for event, when in (
                ("INSERT", "INSERT"),
                ("UPDATE", f"UPDATE OF {', '.join(columns)}"),
            ):
                yield (
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {when} ON {table} "
                    f"FOR EACH ROW WHEN {condition} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )
        elif vendor == "postgresql":
            yield (
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF {condition} THEN "
                f"RAISE EXCEPTION '{message}' USING ERRCODE = 'check_violation'; "
                f"END IF; RETURN NEW; END $$"
            )
            yield (
                f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OF {', '.join(columns)} "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
            )
        else:
            raise NotImplementedError(
                f"same-estate triggers are written for SQLite and PostgreSQL, not {vendor}"
            )


def _drop_statements(vendor, rules):
    for name, table, _columns, _condition, _message in rules:
        if vendor == "sqlite":
            yield f"DROP TRIGGER IF EXISTS {name}_insert"
            yield f"DROP TRIGGER IF EXISTS {name}_update"
        else:
            yield f"DROP TRIGGER IF EXISTS {name} ON {table}"
            yield f"DROP FUNCTION IF EXISTS {name}()"


def operation(rules) -> migrations.RunPython:
    """A migration operation that creates the rules' triggers (and drops them on reverse)."""

    def create(apps, schema_editor):
        for sql in _drop_statements(schema_editor.connection.vendor, rules):
            schema_editor.execute(sql)  # re-applying after a table rebuild is safe
        for sql in _statements(schema_editor.connection.vendor, rules):
            schema_editor.execute(sql)

    def drop(apps, schema_editor):
        for sql in _drop_statements(schema_editor.connection.vendor, rules):
            schema_editor.execute(sql)

    return migrations.RunPython(create, drop)


def triggers_naming_kept(tables, operations) -> list:
    """`operations` (which rebuild `tables` on SQLite: adding a check constraint, for one)
    between taking out the triggers of *other* tables whose statement names one of `tables`
    and putting the same statements back. Those triggers may belong to any app (meetings'
    appeals name branches_building), so they are read from SQLite's schema, not from a
    list here. The triggers on `tables` themselves are dropped by the rebuild: each app
    applies its own again. On PostgreSQL nothing is rebuilt and this does nothing."""
    kept: list[str] = []
    names = [re.compile(rf"\b{re.escape(table)}\b", re.IGNORECASE) for table in tables]

    def take_out(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            rows = cursor.fetchall()
        for name, table, sql in rows:
            if table not in tables and any(pattern.search(sql) for pattern in names):
                kept.append(sql)
                schema_editor.execute(f'DROP TRIGGER "{name}"')

    def put_back(apps, schema_editor):
        for sql in kept:
            schema_editor.execute(sql)
        kept.clear()

    return [
        migrations.RunPython(take_out, put_back),
        *operations,
        migrations.RunPython(put_back, take_out),
    ]


# The Five Modernizations' rules (branches migration 0006).
FIVE_MODERNIZATIONS_RULES = [
    (
        "session_facility_of_station",
        "branches_servicesession",
        ("facility_id", "station_id"),
        "(SELECT station_id FROM branches_facility WHERE id = NEW.facility_id) <> NEW.station_id",
        "a session is held in a facility of its own station",
    ),
    (
        "orgmeeting_group_same_estate",
        "branches_orgmeeting",
        ("group_id", "estate_id"),
        "NEW.group_id IS NOT NULL AND"
        " (SELECT estate_id FROM branches_buildinggroup WHERE id = NEW.group_id) <> NEW.estate_id",
        "a meeting and its group must be of the same estate",
    ),
    (
        "attendance_member_same_estate",
        "branches_orgattendance",
        ("member_id", "meeting_id"),
        "(SELECT estate_id FROM branches_member WHERE id = NEW.member_id)"
        " <> (SELECT estate_id FROM branches_orgmeeting WHERE id = NEW.meeting_id)",
        "only members of the branch of a meeting attend it",
    ),
]


# The ledger's tables: rows are added, never changed or removed.
APPEND_ONLY_TABLES = ("branches_contributionentry", "branches_memberconsent")


def append_only_sql(vendor, tables):
    """The statements that make `tables` refuse any UPDATE or DELETE of their rows."""
    for table in tables:
        if vendor == "sqlite":
            for event in ("UPDATE", "DELETE"):
                yield (
                    f"CREATE TRIGGER {table}_append_only_{event.lower()} BEFORE {event} "
                    f"ON {table} BEGIN SELECT RAISE(ABORT, "
                    f"'{table} is append-only: add a correction instead'); END"
                )
        elif vendor == "postgresql":
            yield (
                f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN RAISE EXCEPTION "
                f"'{table} is append-only: add a correction instead' "
                f"USING ERRCODE = 'restrict_violation'; END $$"
            )
            yield (
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
        else:
            raise NotImplementedError(vendor)


def append_only_drop_sql(vendor, tables):
    for table in tables:
        if vendor == "sqlite":
            yield f"DROP TRIGGER IF EXISTS {table}_append_only_update"
            yield f"DROP TRIGGER IF EXISTS {table}_append_only_delete"
        else:
            yield f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"
            yield f"DROP FUNCTION IF EXISTS {table}_append_only()"


def append_only_operation(tables) -> migrations.RunPython:
    """Triggers that refuse any UPDATE or DELETE of the tables' rows (a ledger is corrected
    by a new entry, never edited)."""

    def create(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in [*append_only_drop_sql(vendor, tables), *append_only_sql(vendor, tables)]:
            schema_editor.execute(sql)

    def drop(apps, schema_editor):
        for sql in append_only_drop_sql(schema_editor.connection.vendor, tables):
            schema_editor.execute(sql)

    return migrations.RunPython(create, drop)
