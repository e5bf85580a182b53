"""Completion per round and per estate: done ÷ (tasks − dropped), counted in the database,
shown on the round's page, the round list and the task list; the pages read with the same
number of queries for 2 rounds as for 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from branches.models import Estate
from zeroindex import services
from zeroindex.queries import estate_completion, round_completion

from .survey_helpers import in_days, make_round


def tasks_of(survey, owner):
    return services.task_create_from_suggestions(
        suggestions=survey.suggestions.all(), owner=owner, due_on=in_days(7)
    )


def test_the_rate_leaves_dropped_tasks_out(world):
    survey = make_round(world.a_estate, suggestions=5)
    tasks = tasks_of(survey, world.secretary_a1)[:4]  # four tasks; one suggestion left
    services.task_done(task=tasks[0])
    services.task_done(task=tasks[1])
    services.task_drop(task=tasks[2], reason="业主不同意")
    completion = round_completion(round=survey)
    assert (completion.suggestions, completion.tasks) == (5, 5)
    assert (completion.done, completion.dropped, completion.open) == (2, 1, 2)
    assert completion.rate == pytest.approx(2 / 4) and completion.percent == 50


def test_overdue_counts_unfinished_tasks_past_their_date(world):
    survey = make_round(world.a_estate, suggestions=3)
    tasks = tasks_of(survey, world.secretary_a1)
    services.task_done(task=tasks[0])
    for task in tasks:  # all three are overdue by the date, the finished one is not counted
        type(task).objects.filter(pk=task.pk).update(due_on=in_days(-2))
    assert round_completion(round=survey).overdue == 2


def test_no_tasks_has_no_rate(world):
    survey = make_round(world.a_estate, suggestions=2)
    assert round_completion(round=survey).rate is None


def test_per_estate_counts_all_its_rounds(world):
    first = make_round(world.a_estate, suggestions=2)
    second = make_round(world.a_estate, title="第二轮", suggestions=2)
    make_round(world.a_estate2, suggestions=1)
    services.task_done(task=tasks_of(first, world.staff_a)[0])
    tasks_of(second, world.staff_a)
    rows = dict(estate_completion(estates=Estate.objects.all()))
    assert (rows[world.a_estate].suggestions, rows[world.a_estate].tasks) == (4, 4)
    assert rows[world.a_estate].percent == 25
    assert rows[world.a_estate2].tasks == 0 and rows[world.a_estate2].rate is None
    assert world.b_estate not in rows  # no survey there


def test_the_round_page_shows_the_rate_and_how_it_is_counted(client, world):
    survey = make_round(world.a_estate, suggestions=2)
    services.task_done(task=tasks_of(survey, world.staff_a)[0])
    client.force_login(world.staff_a)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("admin:zeroindex_surveyround_change", args=[survey.pk])).content
    html = html.decode()
    assert '<dd id="completion-rate">50%</dd>' in html
    assert "tasks done ÷ (tasks − dropped tasks)" in html
    listing = client.get(reverse("admin:zeroindex_surveyround_changelist")).content.decode()
    assert "50%" in listing


def many(world, n):
    """n rounds of 3 suggestions each over A's two estates, with tasks in every status."""
    for i in range(n):
        survey = make_round(
            world.a_estate if i % 2 else world.a_estate2, title=f"第{i}轮", suggestions=3
        )
        tasks = tasks_of(survey, world.staff_a)
        services.task_start(task=tasks[0])
        services.task_done(task=tasks[1])
    return survey


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "page",
    [
        lambda survey: reverse("admin:zeroindex_surveyround_changelist"),
        lambda survey: reverse("admin:zeroindex_surveytask_changelist"),
        lambda survey: reverse("admin:zeroindex_surveyround_change", args=[survey.pk]),
        lambda survey: reverse("admin:zeroindex_suggestion_changelist"),
    ],
    ids=["round list", "task list", "round page", "suggestion list"],
)
def test_pages_read_the_same_queries_for_2_and_20_rounds(client, world, page):
    client.force_login(world.staff_a)
    survey = many(world, 2)
    small = queries(client, page(survey))
    survey = many(world, 18)
    large = queries(client, page(survey))
    assert large == small, f"{small} queries for 2 rounds, {large} for 20"
