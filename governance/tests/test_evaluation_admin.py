"""The department evaluations in the admin: the town committee reads them and edits a
draft's opinion; community staff and branch secretaries get nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import DepartmentEvaluation, EvaluationStatus
from governance.yearend import evaluations_draft

from .yearend_helpers import department

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(world):
    department("县住建局")
    evaluations_draft(year=2025)
    return DepartmentEvaluation.objects.get()


def change_url(evaluation):
    return reverse("admin:governance_departmentevaluation_change", args=[evaluation.pk])


def test_the_committee_lists_and_edits_a_drafts_opinion(client, world, evaluation):
    client.force_login(world.town_user)
    listing = client.get(reverse("admin:governance_departmentevaluation_changelist"))
    assert listing.status_code == 200 and "县住建局" in listing.text
    page = client.get(change_url(evaluation))
    assert page.status_code == 200
    assert 'name="opinion"' in page.text and 'name="score"' not in page.text
    response = client.post(change_url(evaluation), {"opinion": "委员会修改：工作扎实。"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.opinion == "委员会修改：工作扎实。"


def test_an_approved_evaluations_opinion_is_read_only(client, world, evaluation):
    DepartmentEvaluation.objects.update(
        status=EvaluationStatus.APPROVED, approved_at=timezone.now()
    )
    client.force_login(world.town_user)
    page = client.get(change_url(evaluation))
    assert page.status_code == 200 and 'name="opinion"' not in page.text
    client.post(change_url(evaluation), {"opinion": "改了"})
    evaluation.refresh_from_db()
    assert evaluation.opinion != "改了"


@pytest.mark.parametrize("who", ["staff_a", "secretary_a1"])
def test_community_staff_and_secretaries_get_no_access(client, world, evaluation, who):
    client.force_login(getattr(world, who))
    listing = client.get(reverse("admin:governance_departmentevaluation_changelist"))
    assert listing.status_code == 403
    page = client.get(change_url(evaluation))
    assert page.status_code in (302, 403)
    client.post(change_url(evaluation), {"opinion": "外人修改"})
    evaluation.refresh_from_db()
    assert evaluation.opinion != "外人修改"
    index = client.get(reverse("admin:index"))
    assert "departmentevaluation" not in index.text


def test_a_user_without_a_scope_sees_nothing(client, evaluation):
    from branches.tests.factories import UserFactory

    client.force_login(UserFactory(username="noscope", is_staff=True))
    assert (
        client.get(reverse("admin:governance_departmentevaluation_changelist")).status_code == 403
    )


def test_the_evaluations_page_links_to_its_document_and_pdf(client, world, evaluation):
    client.force_login(world.town_user)
    page = client.get(change_url(evaluation)).text
    document = reverse("evaluation_document", args=[evaluation.pk])
    assert f'href="{document}"' in page
    assert f'href="{reverse("evaluation_document_pdf", args=[evaluation.pk])}"' in page
    assert client.get(document).status_code == 200
