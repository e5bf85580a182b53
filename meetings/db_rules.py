"""Rules across tables for appeals and meetings, as triggers (see branches.db_triggers)."""

RULES = [
    (
        "appeal_building_in_estate",
        "meetings_appeal",
        ("building_id", "estate_id"),
        "NEW.building_id IS NOT NULL AND"
        " (SELECT estate_id FROM branches_building WHERE id = NEW.building_id) <> NEW.estate_id",
        "the building of an appeal must be in its estate",
    ),
    (
        "meeting_estate_in_community",
        "meetings_meeting",
        ("estate_id", "community_id"),
        "NEW.estate_id IS NOT NULL AND"
        " (SELECT community_id FROM branches_estate WHERE id = NEW.estate_id) <> NEW.community_id",
        "the estate of a meeting must be in its community",
    ),
]
