"""The survey admin's lists and pages (rounds, suggestions, tasks, a round's page) and the
records-start list run the same number of queries with one round of three suggestions and
with many rounds, suggestions and tasks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.tests.factories import EstateFactory
from zeroindex import services
from zeroindex.models import SurveyTask
from zeroindex.services import records_start_set

from .survey_helpers import in_days, make_round

pytestmark = pytest.mark.django_db


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def grow(world, n: int) -> None:
    """n more rounds in A's estates (and new estates of A), each with tasks."""
    for i in range(n):
        estate = EstateFactory(community=world.a, name=f"第{i}小区")
        records_start_set(estate=estate, month=in_days(-400).replace(day=1))
        survey = make_round(estate, title=f"走访{i}", suggestions=4)
        services.task_create_from_suggestions(
            suggestions=list(survey.suggestions.all()[:3]),
            owner=world.staff_a,
            due_on=in_days(5),
            by=world.staff_a,
        )


def test_the_survey_and_records_start_pages_cost_the_same_at_any_size(client, world):
    survey = make_round(world.a_estate)
    records_start_set(estate=world.a_estate, month=in_days(-400).replace(day=1))
    services.task_create_from_suggestions(
        suggestions=list(survey.suggestions.all()[:2]),
        owner=world.staff_a,
        due_on=in_days(3),
        by=world.staff_a,
    )
    client.force_login(world.staff_a)
    urls = [
        reverse("admin:zeroindex_surveyround_changelist"),
        reverse("admin:zeroindex_suggestion_changelist"),
        reverse("admin:zeroindex_surveytask_changelist"),
        reverse("admin:zeroindex_recordsstart_changelist"),
        reverse("admin:zeroindex_surveyround_change", args=[survey.pk]),
    ]
    for url in urls:
        client.get(url)  # warm caches (content types, sessions)
    small = {url: count(client, url) for url in urls}
    grow(world, 12)
    services.suggestions_add(
        round=survey,
        items=[services.SuggestionInput(text=f"补充建议{n}") for n in range(20)],
    )
    services.task_create_from_suggestions(
        suggestions=list(survey.suggestions.filter(task__isnull=True)[:10]),
        owner=world.staff_a,
        due_on=in_days(2),
        by=world.staff_a,
    )
    SurveyTask.objects.filter(pk__in=SurveyTask.objects.values("pk")[:8]).update(
        due_on=in_days(-3)
    )  # overdue ones too (the services refuse a due date in the past)
    large = {url: count(client, url) for url in urls}
    assert large == small
