"""Community B's staff opening A's survey records get "not found" — the round, its import,
its task form, the suggestions, the tasks and every move on them — and change nothing; a
staff user without a scope sees no survey at all; the town committee reads but moves
nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from zeroindex.admin.surveys import TASK_ACTIONS
from zeroindex.models import Suggestion, SurveyTask

from .survey_helpers import in_days


def not_found(response):
    """The admin's answer to an object outside the scope: its redirect with a message, or 404."""
    return response.status_code == 404 or (
        response.status_code == 302 and "/admin/" in response.url
    )


@pytest.fixture
def pages(survey, task):
    suggestion = survey.suggestions.get(number=2)
    return {
        "round": reverse("admin:zeroindex_surveyround_change", args=[survey.pk]),
        "round history": reverse("admin:zeroindex_surveyround_history", args=[survey.pk]),
        "import": reverse("admin:zeroindex_surveyround_suggestions", args=[survey.pk]),
        "suggestion": reverse("admin:zeroindex_suggestion_change", args=[suggestion.pk]),
        "task": reverse("admin:zeroindex_surveytask_change", args=[task.pk]),
    }


@pytest.mark.parametrize("name", ["round", "round history", "import", "suggestion", "task"])
def test_another_communitys_staff_get_not_found(client, world, pages, name):
    client.force_login(world.staff_b)
    assert not_found(client.get(pages[name]))


def test_another_communitys_staff_cannot_import_make_tasks_or_move(client, world, survey, task):
    client.force_login(world.staff_b)
    imported = client.post(
        reverse("admin:zeroindex_surveyround_suggestions", args=[survey.pk]),
        {"confirmed_text": "外人的建议", "_confirm": "1"},
    )
    assert not_found(imported)
    made = client.post(
        reverse("admin:zeroindex_surveyround_tasks", args=[survey.pk]),
        {
            "suggestions": [survey.suggestions.get(number=2).pk],
            "owner": world.staff_b.pk,
            "due_on": in_days(5).isoformat(),
        },
    )
    assert not_found(made)
    for action in TASK_ACTIONS:
        response = client.post(
            reverse("admin:zeroindex_surveytask_act", args=[task.pk, action]),
            {f"{action}-reason": "外人", f"{action}-due_on": in_days(9).isoformat()},
        )
        assert not_found(response), action
    assert Suggestion.objects.count() == 3
    task.refresh_from_db()
    assert (task.status, task.due_on, SurveyTask.objects.count()) == ("open", in_days(10), 1)
    assert task.events.count() == 1


@pytest.mark.parametrize("list_name", ["surveyround", "suggestion", "surveytask"])
def test_lists_show_only_the_users_scope(client, world, survey, task, list_name):
    client.force_login(world.staff_b)
    html = client.get(reverse(f"admin:zeroindex_{list_name}_changelist")).content.decode()
    assert survey.title not in html and "楼道灯坏了" not in html
    assert world.a_estate.name not in html  # not even in a filter


def test_a_staff_user_without_a_scope_sees_no_survey(client, world, survey, task):
    lost = get_user_model().objects.create_user("lost", is_staff=True)
    client.force_login(lost)
    for list_name in ("surveyround", "suggestion", "surveytask"):
        response = client.get(reverse(f"admin:zeroindex_{list_name}_changelist"))
        assert response.status_code == 403
    assert client.get(reverse("admin:zeroindex_surveytask_change", args=[task.pk])).status_code in (
        302,
        403,
        404,
    )
    response = client.post(reverse("admin:zeroindex_surveytask_act", args=[task.pk, "done"]), {})
    assert response.status_code in (302, 403, 404)
    task.refresh_from_db()
    assert task.status == "open"


def test_the_town_committee_reads_but_is_offered_no_move(client, world, survey, task):
    client.force_login(world.town_user)
    html = client.get(reverse("admin:zeroindex_surveytask_change", args=[task.pk])).content
    html = html.decode()
    assert task.title in html and "/act/" not in html
    round_page = client.get(reverse("admin:zeroindex_surveyround_change", args=[survey.pk]))
    assert 'id="make-tasks"' in round_page.content.decode()  # the list, without the form
    assert 'name="suggestions"' not in round_page.content.decode()
    client.cookies["django_language"] = "en"
    response = client.post(reverse("admin:zeroindex_surveytask_act", args=[task.pk, "done"]), {})
    assert response.status_code == 200  # the page again, saying why
    assert "can read these records but not change them" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    imported = client.get(reverse("admin:zeroindex_surveyround_suggestions", args=[survey.pk]))
    assert imported.status_code == 404


def test_a_secretary_sees_only_its_estate(client, world, task):
    from .survey_helpers import make_round

    other = make_round(world.a_estate2, title="新城景苑走访")
    client.force_login(world.secretary_a1)
    assert not_found(client.get(reverse("admin:zeroindex_surveyround_change", args=[other.pk])))
    html = client.get(reverse("admin:zeroindex_surveyround_changelist")).content.decode()
    assert "新城景苑走访" not in html
