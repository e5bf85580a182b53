"""The SQL of the same-estate triggers (see migrations/0002), for SQLite and PostgreSQL."""

# (trigger name, table, columns whose change fires it, condition that must not hold, message)
RULES = [
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


def _statements(vendor):
    for name, table, columns, condition, message in RULES:
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


def _drop_statements(vendor):
    for name, table, _columns, _condition, _message in RULES:
        if vendor == "sqlite":
            yield f"DROP TRIGGER IF EXISTS {name}_insert"
            yield f"DROP TRIGGER IF EXISTS {name}_update"
        else:
            yield f"DROP TRIGGER IF EXISTS {name} ON {table}"
            yield f"DROP FUNCTION IF EXISTS {name}()"


def create(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)
