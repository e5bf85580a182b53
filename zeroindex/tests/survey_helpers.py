"""What the survey tests share: a round of A's first estate with suggestions, and tasks made
of them through the services. Imported by the modules that use them (not a conftest, which
the other parts of the Five Zeros' tests would share)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from meetings.models import AppealCategory
from zeroindex import services


def make_round(estate, *, title="2026年居民大走访", suggestions=3, by=None, category=None):
    today = timezone.localdate()
    survey = services.survey_round_create(
        estate=estate,
        title=title,
        started_on=today - timedelta(days=30),
        ended_on=today - timedelta(days=20),
        residents_asked=100,
        by=by,
    )
    if suggestions:
        services.suggestions_add(
            round=survey,
            items=[
                services.SuggestionInput(text=f"第{n}条建议：楼道灯坏了", category=category)
                for n in range(1, suggestions + 1)
            ],
        )
    return survey


def in_days(n: int) -> date:
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def appeal_category(db):
    return AppealCategory.objects.get_or_create(name="公共设施")[0]


@pytest.fixture
def survey(world):
    """A round of A's first estate with three suggestions."""
    return make_round(world.a_estate)


@pytest.fixture
def task(world, survey):
    """A task of the first suggestion, owned by A's secretary, due in ten days."""
    return services.task_create_from_suggestion(
        suggestion=survey.suggestions.get(number=1),
        owner=world.secretary_a1,
        due_on=in_days(10),
        by=world.staff_a,
    )
