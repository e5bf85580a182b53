"""A written opinion has a length a document can hold: a pasted book (200,000 characters took
15 s to draw as a PDF, inside the approval's request) is refused with what was typed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from governance.models import OPINION_MAX_LENGTH, DepartmentEvaluation
from governance.yearend import evaluations_draft

from .yearend_helpers import department

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(world):
    department("县住建局")
    evaluations_draft(year=2025)
    return DepartmentEvaluation.objects.get()


def test_the_admin_refuses_a_too_long_opinion_and_keeps_it(client, world, evaluation):
    client.force_login(world.town_user)
    typed = "意见" * (OPINION_MAX_LENGTH // 2) + "尾"
    url = reverse("admin:governance_departmentevaluation_change", args=[evaluation.pk])
    response = client.post(url, {"opinion": typed})
    assert response.status_code == 200
    assert "errorlist" in response.text and typed in response.text
    evaluation.refresh_from_db()
    assert evaluation.opinion != typed


def test_an_opinion_at_the_limit_is_saved(client, world, evaluation):
    client.force_login(world.town_user)
    typed = "意" * OPINION_MAX_LENGTH
    url = reverse("admin:governance_departmentevaluation_change", args=[evaluation.pk])
    assert client.post(url, {"opinion": typed}).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.opinion == typed


def test_the_model_and_the_database_refuse_it(evaluation):
    evaluation.opinion = "x" * (OPINION_MAX_LENGTH + 1)
    with pytest.raises(ValidationError):
        evaluation.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentEvaluation.objects.filter(pk=evaluation.pk).update(opinion=evaluation.opinion)
