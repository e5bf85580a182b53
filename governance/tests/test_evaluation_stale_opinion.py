"""A committee member saves an opinion on a page opened before someone else approved the
evaluation: nothing changes, and the page says so and shows the words they typed, so they
can reopen it and paste them (it was a bare 403 page that lost them)."""

import pytest
from django.urls import reverse

from governance.models import DepartmentEvaluation, EvaluationStatus
from governance.yearend import evaluation_approve, evaluations_draft

from .yearend_helpers import department

pytestmark = pytest.mark.django_db

TYPED = "委员会修改：该部门全年工作扎实，第三季度有所放松。"


@pytest.fixture
def evaluation(world):
    department("县住建局")
    evaluations_draft(year=2025)
    return DepartmentEvaluation.objects.get()


def test_saving_after_approval_keeps_the_typed_opinion_on_the_page(client, world, evaluation):
    client.force_login(world.town_user)
    url = reverse("admin:governance_departmentevaluation_change", args=[evaluation.pk])
    assert 'name="opinion"' in client.get(url).text  # the page as it was opened
    evaluation_approve(evaluation=evaluation, by=world.town_user)  # someone else, meanwhile

    response = client.post(url, {"opinion": TYPED}, follow=True)

    assert response.status_code == 200
    assert TYPED in response.text
    assert 'id="unsaved-opinion"' in response.text
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.APPROVED and evaluation.opinion != TYPED
    # shown once: the next visit is the plain page
    assert TYPED not in client.get(url).text
