"""An address saved after approval: the evaluation reaches that recipient then, once, as it
would have on approval; recipients who had it get nothing again; a draft sends nothing."""

import pytest
from django.core import mail
from django.urls import reverse

from governance.models import DepartmentEvaluation, YearEndRecipient
from governance.yearend import evaluation_approve, evaluations_draft
from meetings.models import Department

from .test_evaluation_approval import by_address, pdf_of, recipients, squeeze

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def works(world):
    recipients()
    d = Department.objects.create(name="县住建局", level="county")  # no address yet
    evaluations_draft(year=2025)
    return d


def test_a_department_address_added_later_gets_the_approved_opinion_once(world, works, commit):
    with commit():
        delivery = evaluation_approve(
            evaluation=DepartmentEvaluation.objects.get(), by=world.town_user
        )
    assert delivery.missing == ("县住建局",) and len(mail.outbox) == 2
    works.emails = "dept@zj.example.cn"
    with commit():
        works.save()
    assert len(mail.outbox) == 3
    message = by_address()["dept@zj.example.cn"]
    assert "县住建局2025年度工作评议意见" in squeeze(pdf_of(message))
    with commit():  # saved again: nothing more
        works.save()
    assert len(mail.outbox) == 3


def test_a_recipient_address_saved_in_the_admin_gets_the_opinion(client, world, works, commit):
    YearEndRecipient.objects.filter(kind="town_committee").update(emails="")
    works.emails = "dept@zj.example.cn"
    works.save()
    with commit():
        evaluation_approve(evaluation=DepartmentEvaluation.objects.get(), by=world.town_user)
    assert "dw@town.example.cn" not in by_address()
    client.force_login(world.superuser)
    recipient = YearEndRecipient.objects.get(kind="town_committee")
    with commit():
        client.post(
            reverse("admin:governance_yearendrecipient_change", args=[recipient.pk]),
            {"kind": "town_committee", "name": "黄兴镇党委", "emails": "dw@town.example.cn"},
        )
    assert "dw@town.example.cn" in by_address() and len(mail.outbox) == 3


def test_an_address_saved_while_the_evaluation_is_a_draft_sends_nothing(world, works, commit):
    works.emails = "dept@zj.example.cn"
    with commit():
        works.save()
    assert not mail.outbox
