"""The town committee approves a department's evaluation: it is frozen and its opinion goes
once, as a PDF, to the department, the county performance office and the town committee;
reopened with a reason, its re-approval sends the new version once, marked as a revision."""

import io
import threading

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.urls import reverse
from pypdf import PdfReader

from governance.models import (
    DepartmentEvaluation,
    EvaluationEvent,
    EvaluationStatus,
    YearEndRecipient,
)
from governance.yearend import (
    EvaluationRefused,
    evaluation_approve,
    evaluation_deliver,
    evaluation_reopen,
    evaluations_draft,
)
from meetings.messaging import notification_deliver
from meetings.models import Department, Notification

from .yearend_helpers import review

OPINION = "委员会审定：该部门全年工作扎实，群众满意度较高。"
ADDRESSES = {"dept@zj.example.cn", "kpb@county.example.cn", "dw@town.example.cn"}


def recipients():
    YearEndRecipient.objects.create(
        kind="performance_office", name="县绩效办", emails="kpb@county.example.cn"
    )
    YearEndRecipient.objects.create(
        kind="town_committee", name="黄兴镇党委", emails="dw@town.example.cn"
    )


@pytest.fixture
def evaluation(world):
    recipients()
    Department.objects.create(name="县住建局", level="county", emails="dept@zj.example.cn")
    evaluations_draft(year=2025)
    evaluation = DepartmentEvaluation.objects.get()
    evaluation.opinion = OPINION
    evaluation.save(update_fields=["opinion"])
    return evaluation


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def pdf_of(message) -> str:
    [(name, content, kind)] = message.attachments
    assert name.endswith(".pdf") and kind == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def by_address():
    return {m.to[0]: m for m in mail.outbox}


def squeeze(text):
    return "".join(text.split())


@pytest.mark.django_db
def test_approval_mails_each_recipient_once_with_the_opinion_as_a_pdf(world, evaluation, commit):
    with commit():
        delivery = evaluation_approve(evaluation=evaluation, by=world.town_user)
    assert delivery.missing == ()
    assert len(mail.outbox) == 3 and set(by_address()) == ADDRESSES
    for message in mail.outbox:
        assert "县住建局" in message.subject and "修订" not in message.subject
        assert OPINION in squeeze(pdf_of(message))
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.APPROVED
    assert evaluation.approved_by == world.town_user and evaluation.approved_at
    assert list(evaluation.events.values_list("kind", flat=True)) == ["approved", "delivered"]
    assert Notification.objects.filter(delivered_at__isnull=False).count() == 3


@pytest.mark.django_db
def test_approving_twice_or_delivering_twice_sends_once(world, evaluation, commit):
    with commit():
        evaluation_approve(evaluation=evaluation, by=world.town_user)
    stale = DepartmentEvaluation.objects.get()
    stale.status = EvaluationStatus.DRAFT  # a second page opened before the approval
    with commit(), pytest.raises(EvaluationRefused):
        evaluation_approve(evaluation=stale, by=world.superuser)
    with commit():
        again = evaluation_deliver(evaluation=DepartmentEvaluation.objects.get())
    assert again.sent == ()
    for message in Notification.objects.all():  # the delivery task run again
        assert notification_deliver(notification_id=message.pk) is False
    assert len(mail.outbox) == 3
    assert DepartmentEvaluation.objects.get().approved_by == world.town_user


@pytest.mark.django_db
def test_a_recipient_without_an_address_is_reported_and_the_others_still_get_it(
    world, evaluation, commit
):
    YearEndRecipient.objects.filter(kind="performance_office").update(emails="")
    with commit():
        delivery = evaluation_approve(evaluation=evaluation, by=world.town_user)
    assert delivery.missing == ("县绩效办",)
    assert set(by_address()) == ADDRESSES - {"kpb@county.example.cn"}
    note = evaluation.events.get(kind="delivered").note
    assert "县绩效办" in note


@pytest.mark.django_db
def test_reopen_needs_a_reason_and_reapproval_sends_the_revision_once(world, evaluation, commit):
    with commit():
        evaluation_approve(evaluation=evaluation, by=world.town_user)
    with pytest.raises(EvaluationRefused):
        evaluation_reopen(evaluation=evaluation, by=world.town_user, reason="  ")
    assert DepartmentEvaluation.objects.get().status == EvaluationStatus.APPROVED
    evaluation_reopen(evaluation=evaluation, by=world.town_user, reason="满意度数据有误")
    assert evaluation.status == EvaluationStatus.DRAFT and evaluation.version == 2
    event = evaluation.events.get(kind="reopened")
    assert (event.note, event.version, event.by) == ("满意度数据有误", 1, world.town_user)
    mail.outbox.clear()
    with commit():
        evaluation_approve(evaluation=evaluation, by=world.town_user)
    with commit():
        evaluation_deliver(evaluation=evaluation)
    assert len(mail.outbox) == 3 and set(by_address()) == ADDRESSES
    for message in mail.outbox:
        assert "修订" in message.subject
        assert "修订版第2版" in squeeze(pdf_of(message))
    assert Notification.objects.filter(dedupe_key__contains=":v2:").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["staff_a", "secretary_a1"])
def test_community_staff_and_secretaries_cannot_approve_or_reopen(
    client, world, evaluation, who, commit
):
    user = getattr(world, who)
    with pytest.raises(EvaluationRefused):
        evaluation_approve(evaluation=evaluation, by=user)
    client.force_login(user)
    for action in ("approve", "reopen"):
        url = reverse(f"admin:evaluation_{action}", args=[evaluation.pk])
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert DepartmentEvaluation.objects.get().status == EvaluationStatus.DRAFT
    evaluation_approve(evaluation=evaluation, by=world.town_user)
    with pytest.raises(EvaluationRefused):
        evaluation_reopen(evaluation=evaluation, by=user, reason="想改")
    assert DepartmentEvaluation.objects.get().status == EvaluationStatus.APPROVED


@pytest.mark.django_db
def test_the_committee_approves_and_reopens_on_the_page(client, world, evaluation, commit):
    client.force_login(world.town_user)
    page_url = reverse("admin:governance_departmentevaluation_change", args=[evaluation.pk])
    with commit():
        response = client.post(reverse("admin:evaluation_approve", args=[evaluation.pk]))
    assert response.status_code == 302 and len(mail.outbox) == 3
    page = client.get(page_url)
    assert 'id="reopen"' in page.text and "县绩效办" in page.text  # a delivery row
    # no reason: refused, still approved, the page says why
    client.post(reverse("admin:evaluation_reopen", args=[evaluation.pk]), {"reason": ""})
    assert DepartmentEvaluation.objects.get().status == EvaluationStatus.APPROVED
    client.post(reverse("admin:evaluation_reopen", args=[evaluation.pk]), {"reason": "数据有误"})
    page = client.get(page_url)
    assert DepartmentEvaluation.objects.get().version == 2
    assert 'id="approve"' in page.text and "数据有误" in page.text


@pytest.mark.django_db
def test_the_list_action_approves_the_selected_drafts(client, world, evaluation, commit):
    client.force_login(world.town_user)
    with commit():
        client.post(
            reverse("admin:governance_departmentevaluation_changelist"),
            {"action": "approve_selected", "_selected_action": [evaluation.pk]},
        )
    assert DepartmentEvaluation.objects.get().status == EvaluationStatus.APPROVED
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_the_command_approves_every_draft_once_and_a_rerun_sends_nothing(world, commit):
    recipients()
    for name in ("县住建局", "县城管局"):
        d = Department.objects.create(name=name, level="county", emails=f"{name}@example.cn")
        review(world, d, 80)
    with commit():
        call_command("year_end", year="2025", approve_as=world.town_user.username)
    with commit():
        call_command("year_end", year="2025", approve_as=world.town_user.username)
    assert DepartmentEvaluation.objects.filter(status="approved").count() == 2
    assert len(mail.outbox) == 6
    assert EvaluationEvent.objects.filter(kind="approved").count() == 2


@pytest.mark.django_db
def test_the_command_leaves_not_evaluated_drafts_and_says_how_many(world, commit):
    recipients()
    scored = Department.objects.create(name="县住建局", level="county", emails="a@example.cn")
    review(world, scored, 80)
    Department.objects.create(name="县档案局", level="county", emails="b@example.cn")
    out = io.StringIO()
    with commit():
        call_command("year_end", year="2025", approve_as=world.town_user.username, stdout=out)
    assert "Approved: 1 " in out.getvalue()
    assert "not evaluated (no reviews and no referrals): 1" in out.getvalue()
    left = DepartmentEvaluation.objects.get(department__name="县档案局")
    assert left.status == EvaluationStatus.DRAFT
    assert not any("b@example.cn" in m.to for m in mail.outbox)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["", "  ", "nobody"])
def test_the_command_refuses_an_empty_or_unknown_approver_before_running(world, who):
    with pytest.raises(CommandError, match="--approve-as"):
        call_command("year_end", year="2025", approve_as=who)
    assert not DepartmentEvaluation.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_an_approver_not_on_the_committee(world):
    with pytest.raises(CommandError, match="not a town committee member"):
        call_command("year_end", year="2025", approve_as=world.staff_a.username)
    assert not DepartmentEvaluation.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises all writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_one_wins(world, evaluation):
    barrier = threading.Barrier(2)
    outcomes = []

    def member(user):
        try:
            mine = DepartmentEvaluation.objects.get(pk=evaluation.pk)
            barrier.wait()
            evaluation_approve(evaluation=mine, by=user)
            outcomes.append("won")
        except EvaluationRefused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=member, args=(u,)) for u in (world.town_user, world.superuser)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["refused", "won"]
    assert Notification.objects.count() == 3
    assert EvaluationEvent.objects.filter(kind="approved").count() == 1


@pytest.mark.django_db
def test_a_recipients_bad_address_is_refused_with_what_was_typed(client, world):
    client.force_login(world.town_user)
    typed = {"kind": "town_committee", "name": "镇党委", "emails": "dw@town.cn, 不是邮箱"}
    response = client.post(reverse("admin:governance_yearendrecipient_add"), typed)
    assert response.status_code == 200
    assert "不是邮箱" in response.text and not YearEndRecipient.objects.exists()
