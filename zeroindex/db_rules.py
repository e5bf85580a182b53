"""Five Zeros' rules across tables, as triggers (branches.db_triggers), applied by migration."""

RULES = [
    (
        "incident_building_same_estate",
        "zeroindex_incident",
        ("building_id", "estate_id"),
        "NEW.building_id IS NOT NULL AND"
        " (SELECT estate_id FROM branches_building WHERE id = NEW.building_id) <> NEW.estate_id",
        "an incident building must be in its estate",
    ),
    (
        "incident_appeal_same_estate",
        "zeroindex_incident",
        ("appeal_id", "estate_id"),
        "NEW.appeal_id IS NOT NULL AND"
        " (SELECT estate_id FROM meetings_appeal WHERE id = NEW.appeal_id) <> NEW.estate_id",
        "an incident and its appeal must be of the same estate",
    ),
    (
        "suggestion_building_same_estate",
        "zeroindex_suggestion",
        ("building_id", "round_id"),
        "NEW.building_id IS NOT NULL AND"
        " (SELECT estate_id FROM branches_building WHERE id = NEW.building_id)"
        " <> (SELECT estate_id FROM zeroindex_surveyround WHERE id = NEW.round_id)",
        "a suggestion building must be in the estate of its survey",
    ),
    (
        "survey_task_same_estate",
        "zeroindex_surveytask",
        ("suggestion_id", "estate_id"),
        "(SELECT r.estate_id FROM zeroindex_suggestion s"
        " JOIN zeroindex_surveyround r ON r.id = s.round_id WHERE s.id = NEW.suggestion_id)"
        " <> NEW.estate_id",
        "a task belongs to the estate of its survey",
    ),
]
