"""Fixtures of the Five Zeros' tests. The survey ones are in survey_helpers.py."""

from .survey_helpers import appeal_category, survey, task  # noqa: F401
