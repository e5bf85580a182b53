"""A decision taken on an evaluation's page is taken on what that page showed: approving,
reopening or saving the opinion from a page opened before the figures changed (a re-run),
before someone else edited the opinion, or before someone else reopened and re-approved it,
is refused with a message, changes nothing and sends nothing; the typed opinion is kept. A
page opened now works, and a re-run that finds the same figures does not make it stale."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from governance.models import DepartmentEvaluation, EvaluationStatus
from governance.yearend import (
    evaluation_approve,
    evaluation_opinion_set,
    evaluation_reopen,
    evaluations_draft,
)

from .test_evaluation_approval import recipients
from .yearend_helpers import department, review

pytestmark = pytest.mark.django_db
TYPED = "委员会修改：该部门全年工作扎实。"


@pytest.fixture
def works(world):
    recipients()
    d = department("县住建局")
    d.emails = "dept@zj.example.cn"
    d.save()
    review(world, d, 80)
    evaluations_draft(year=2025)
    return d


@pytest.fixture
def town(client, world):
    client.force_login(world.town_user)
    client.cookies["django_language"] = "en"
    return client


def url(evaluation, what="change"):
    if what == "change":
        return reverse("admin:governance_departmentevaluation_change", args=[evaluation.pk])
    return reverse(f"admin:evaluation_{what}", args=[evaluation.pk])


def shown_on(page) -> str:
    values = set(re.findall(r'name="shown" value="([^"]*)"', page.text))
    assert len(values) == 1  # the same stamp in every form of the page
    return values.pop()


def evaluation():
    return DepartmentEvaluation.objects.get()


def refused(response) -> bool:
    return "has changed since you opened it" in response.text


def test_approving_a_page_opened_before_the_figures_changed_is_refused(town, world, works):
    shown = shown_on(town.get(url(evaluation())))
    review(world, works, 40)  # a late score sheet, and the run again
    evaluations_draft(year=2025)
    response = town.post(url(evaluation(), "approve"), {"shown": shown}, follow=True)
    assert refused(response)
    assert evaluation().status == EvaluationStatus.DRAFT and not mail.outbox
    # the page shown now has the new figures, and approving from it works
    response = town.post(url(evaluation(), "approve"), {"shown": shown_on(response)}, follow=True)
    assert evaluation().status == EvaluationStatus.APPROVED and not refused(response)


def test_a_rerun_with_the_same_figures_leaves_the_page_good(town, world, works):
    shown = shown_on(town.get(url(evaluation())))
    evaluations_draft(year=2025)
    town.post(url(evaluation(), "approve"), {"shown": shown})
    assert evaluation().status == EvaluationStatus.APPROVED


def test_approving_a_page_opened_before_someone_else_edited_the_opinion_is_refused(
    town, world, works
):
    shown = shown_on(town.get(url(evaluation())))
    evaluation_opinion_set(evaluation=evaluation(), opinion="另一位委员改过的意见。")
    response = town.post(url(evaluation(), "approve"), {"shown": shown}, follow=True)
    assert refused(response) and evaluation().status == EvaluationStatus.DRAFT


def test_saving_the_opinion_on_a_page_older_than_the_figures_keeps_the_words(town, world, works):
    page = town.get(url(evaluation()))
    review(world, works, 40)
    evaluations_draft(year=2025)
    rewritten = evaluation().opinion
    response = town.post(
        url(evaluation()), {"opinion": TYPED, "shown": shown_on(page)}, follow=True
    )
    assert refused(response)
    assert TYPED in response.text and 'id="unsaved-opinion"' in response.text
    assert evaluation().opinion == rewritten


def test_reopening_a_page_of_an_older_approved_version_is_refused(town, world, works):
    evaluation_approve(evaluation=evaluation(), by=world.town_user)
    shown = shown_on(town.get(url(evaluation())))  # version 1, approved
    evaluation_reopen(evaluation=evaluation(), by=world.town_user, reason="数字有误")
    evaluation_approve(evaluation=evaluation(), by=world.town_user)  # version 2
    response = town.post(
        url(evaluation(), "reopen"), {"reason": "再改一次", "shown": shown}, follow=True
    )
    assert refused(response)
    assert (evaluation().status, evaluation().version) == (EvaluationStatus.APPROVED, 2)


def test_kept_words_over_new_figures_are_flagged_until_saved(town, world, works):
    evaluation_opinion_set(evaluation=evaluation(), opinion=TYPED)
    evaluations_draft(year=2025)  # same figures: nothing to flag
    assert not evaluation().opinion_outdated
    review(world, works, 40)
    evaluations_draft(year=2025)
    assert evaluation().opinion == TYPED and evaluation().opinion_outdated
    page = town.get(url(evaluation()))
    assert 'id="opinion-outdated"' in page.text
    town.post(url(evaluation()), {"opinion": TYPED + "（已核对）", "shown": shown_on(page)})
    assert not evaluation().opinion_outdated
    assert 'id="opinion-outdated"' not in town.get(url(evaluation())).text
