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

# The month roll-ups keep their breakdowns per community (meetings.rollups): an estate whose
# appeals are counted cannot move to another community, or its past months would stay with
# the old one (migration 0018). The subquery reads the row before the update.
ESTATE_RULES = [
    (
        "estate_with_appeals_keeps_community",
        "branches_estate",
        ("community_id",),
        "EXISTS (SELECT 1 FROM meetings_appealmonth WHERE estate_id = NEW.id) AND"
        " (SELECT community_id FROM branches_estate WHERE id = NEW.id) <> NEW.community_id",
        "an estate with appeals cannot move to another community",
    ),
]
