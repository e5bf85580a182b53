"""A survey's suggestions become tasks, and each task moves through the services: started,
done, dropped (with a reason), given to another owner, given a new date, filed as an appeal.
Each move writes what it changed; what it may not do is refused with a reason."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from meetings.models import Appeal, Source
from meetings.moves import MoveRefused, Refusal
from zeroindex import services
from zeroindex.models import SurveyTask, SurveyTaskEvent, TaskStatus

from .survey_helpers import in_days, make_round


@pytest.fixture(autouse=True)
def _english():
    """The refusals' messages are matched in English."""
    with translation.override("en"):
        yield


def test_suggestions_are_numbered_after_the_last(world, survey):
    added = services.suggestions_add(
        round=survey,
        items=[services.SuggestionInput(text="加装电梯"), services.SuggestionInput(text="修路灯")],
        by=world.secretary_a1,
    )
    assert [s.number for s in added] == [4, 5]
    assert list(survey.suggestions.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


def test_one_bad_suggestion_refuses_the_lot(world, survey):
    with pytest.raises(MoveRefused) as refused:
        services.suggestions_add(
            round=survey,
            items=[
                services.SuggestionInput(text="好的建议"),
                services.SuggestionInput(text="别处的楼", building=world.b_building),
            ],
            by=world.secretary_a1,
        )
    assert refused.value.kind == Refusal.INVALID and "2" in refused.value.message
    assert survey.suggestions.count() == 3


def test_tasks_are_made_with_a_title_an_owner_a_date_and_an_event(world, survey):
    tasks = services.task_create_from_suggestions(
        suggestions=survey.suggestions.all(),
        owner=world.staff_a,
        due_on=in_days(14),
        by=world.secretary_a1,
    )
    assert len(tasks) == 3
    second = SurveyTask.objects.get(suggestion__number=2)
    assert second.title == "第2条建议：楼道灯坏了"
    assert (second.owner, second.due_on, second.status) == (world.staff_a, in_days(14), "open")
    assert second.estate == world.a_estate
    event = second.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "open", world.secretary_a1)


def test_suggestions_that_have_a_task_are_left_as_they_are(world, survey, task):
    made = services.task_create_from_suggestions(
        suggestions=survey.suggestions.all(), owner=world.staff_a, due_on=in_days(5)
    )
    assert len(made) == 2
    task.refresh_from_db()
    assert task.owner == world.secretary_a1  # the first one's task untouched


def test_the_owner_must_work_in_the_estate_or_its_community(world, survey):
    with pytest.raises(MoveRefused, match="owner"):
        services.task_create_from_suggestions(
            suggestions=survey.suggestions.all(), owner=world.staff_b, due_on=in_days(5)
        )
    with pytest.raises(MoveRefused, match="past"):
        services.task_create_from_suggestions(
            suggestions=survey.suggestions.all(), owner=world.staff_a, due_on=in_days(-1)
        )
    assert not SurveyTask.objects.exists()


def test_start_then_done(world, task):
    services.task_start(task=task, by=world.secretary_a1)
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    services.task_done(task=task, note="已换灯", by=world.secretary_a1)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    assert task.remind_at is None
    moves = list(task.events.values_list("from_status", "to_status"))
    assert moves == [("", "open"), ("open", "in_progress"), ("in_progress", "done")]
    assert task.events.last().data == {"note": "已换灯"}


def test_a_finished_task_moves_no_more(world, task):
    services.task_done(task=task, by=world.secretary_a1)
    for move in (
        lambda: services.task_start(task=task, by=world.secretary_a1),
        lambda: services.task_drop(task=task, reason="不做了", by=world.secretary_a1),
        lambda: services.task_set_due(task=task, due_on=in_days(30), by=world.secretary_a1),
    ):
        with pytest.raises(MoveRefused) as refused:
            move()
        assert refused.value.kind == Refusal.CONFLICT
    assert SurveyTask.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_dropping_needs_a_reason(world, task):
    with pytest.raises(MoveRefused, match="why"):
        services.task_drop(task=task, reason="  ", by=world.secretary_a1)
    services.task_drop(task=task, reason="业主大会未通过", by=world.secretary_a1)
    task.refresh_from_db()
    assert (task.status, task.drop_reason) == (TaskStatus.DROPPED, "业主大会未通过")
    assert task.events.last().data == {"reason": "业主大会未通过"}


def test_reassign_and_new_due_date_are_recorded(world, task):
    services.task_reassign(task=task, owner=world.staff_a, by=world.secretary_a1)
    services.task_set_due(task=task, due_on=in_days(20), by=world.staff_a)
    task.refresh_from_db()
    assert (task.owner, task.due_on, task.status) == (world.staff_a, in_days(20), "open")
    reassigned, moved = task.events.all()[1:]
    assert reassigned.data["owner"] == world.staff_a.pk
    assert reassigned.data["previous_owner"] == world.secretary_a1.pk
    assert moved.data == {
        "due_on": in_days(20).isoformat(),
        "previous_due_on": in_days(10).isoformat(),
    }


def test_the_town_committee_reads_but_moves_nothing(world, task):
    with pytest.raises(MoveRefused) as refused:
        services.task_start(task=task, by=world.town_user)
    assert refused.value.kind == Refusal.NOT_ALLOWED
    assert SurveyTask.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_another_communitys_staff_cannot_move_a_task(world, task):
    with pytest.raises(MoveRefused) as refused:
        services.task_done(task=task, by=world.staff_b)
    assert refused.value.kind == Refusal.NOT_FOUND
    assert not SurveyTaskEvent.objects.filter(actor=world.staff_b).exists()


def test_to_appeal_asks_for_a_category_when_the_suggestion_has_none(world, task):
    with pytest.raises(MoveRefused, match="category"):
        services.task_to_appeal(task=task, by=world.secretary_a1)
    assert not Appeal.objects.exists()


def test_to_appeal_files_the_suggestion_and_the_task_goes_in_progress(world, task, appeal_category):
    suggestion = task.suggestion
    suggestion.building = world.a_building
    suggestion.save()
    services.task_to_appeal(task=task, category=appeal_category, by=world.secretary_a1)
    task.refresh_from_db()
    appeal = Appeal.objects.get()
    assert task.appeal == appeal and task.status == TaskStatus.IN_PROGRESS
    assert (appeal.source, appeal.category, appeal.building) == (
        Source.SURVEY,
        appeal_category,
        world.a_building,
    )
    assert appeal.description == suggestion.text and appeal.title == task.title
    assert task.events.last().data["code"] == appeal.code
    assert list(appeal.survey_tasks.all()) == [task]  # the appeal knows its task
    with pytest.raises(MoveRefused, match="already"):
        services.task_to_appeal(task=task, category=appeal_category, by=world.secretary_a1)
    assert Appeal.objects.count() == 1


def test_a_round_cannot_end_before_it_starts(world):
    today = timezone.localdate()
    with pytest.raises(MoveRefused, match="end before"):
        services.survey_round_create(
            estate=world.a_estate,
            title="x",
            started_on=today,
            ended_on=today - timedelta(days=1),
            by=world.staff_a,
        )


def test_a_secretary_runs_surveys_only_in_its_estate(world):
    with pytest.raises(MoveRefused) as refused:
        make_round(world.a_estate2, by=world.secretary_a1, suggestions=0)
    assert refused.value.kind == Refusal.NOT_FOUND
