"""Reopening with a reason the form refuses (too long, a NUL byte) says what is wrong with
it, keeps what was typed, and leaves the evaluation approved; it said "say why" to someone
who had written 2,001 characters."""

import pytest
from django.urls import reverse

from governance.models import DepartmentEvaluation, EvaluationStatus
from governance.yearend import evaluation_approve, evaluations_draft

from .yearend_helpers import department

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(world):
    department("县住建局")
    evaluations_draft(year=2025)
    evaluation = DepartmentEvaluation.objects.get()
    evaluation_approve(evaluation=evaluation, by=world.town_user)
    return evaluation


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(
    "reason, complaint",
    [("因" * 2001, "2000"), ("数据\x00有误", "空字符")],  # Django's zh-hans: 不允许是用空字符串
    ids=["too long", "nul byte"],
)
def test_a_refused_reason_is_named_and_kept(client, world, approved, reason, complaint):
    client.force_login(world.town_user)
    response = client.post(
        reverse("admin:evaluation_reopen", args=[approved.pk]), {"reason": reason}, follow=True
    )
    assert any(complaint in m for m in messages_of(response)), messages_of(response)
    assert reason.replace("\x00", "") in response.text.replace("\x00", "")
    approved.refresh_from_db()
    assert approved.status == EvaluationStatus.APPROVED and approved.version == 1


def test_an_empty_reason_is_asked_for(client, world, approved):
    client.force_login(world.town_user)
    response = client.post(
        reverse("admin:evaluation_reopen", args=[approved.pk]), {"reason": "  "}, follow=True
    )
    assert any("原因" in m for m in messages_of(response)), messages_of(response)
