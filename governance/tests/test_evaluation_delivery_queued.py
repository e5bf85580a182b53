"""Approval is quick and the document follows: approving records the decision and queues the
delivery (drawing the PDF, recording the three messages) for after commit, so the year's
hundreds are drawn by the workers side by side. A queued delivery sends the version still
approved, never one reopened since; one lost with the broker is sent by the five-minute
sweep, once; two deliveries at once record one set of messages."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from governance import yearend
from governance.models import DepartmentEvaluation, EvaluationEvent, EvaluationStatus
from governance.yearend import (
    evaluation_approve,
    evaluation_deliver,
    evaluation_reopen,
    evaluations_deliver_pending,
    evaluations_draft,
)
from meetings.models import Department, Notification

from .live_worker import needs_worker, running_worker, wait_for
from .test_evaluation_approval import ADDRESSES, by_address, recipients


def drafts(*names):
    recipients()
    for name in names:
        Department.objects.create(name=name, level="county", emails=f"{name}@example.cn")
    evaluations_draft(year=2025)
    return list(DepartmentEvaluation.objects.order_by("pk"))


@pytest.fixture
def evaluation(world):
    recipients()
    Department.objects.create(name="县住建局", level="county", emails="dept@zj.example.cn")
    evaluations_draft(year=2025)
    return DepartmentEvaluation.objects.get()


@pytest.mark.django_db
def test_approval_commits_first_and_the_document_goes_after(
    world, evaluation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        delivery = evaluation_approve(evaluation=evaluation, by=world.town_user)
    # approved, and the approver told who is getting it, before any PDF is drawn
    assert DepartmentEvaluation.objects.get().status == EvaluationStatus.APPROVED
    assert set(delivery.queued) == {"县住建局", "县绩效办", "黄兴镇党委"}
    assert not Notification.objects.exists() and not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()
    assert set(by_address()) == ADDRESSES
    assert list(evaluation.events.values_list("kind", flat=True)) == ["approved", "delivered"]


@pytest.mark.django_db
def test_a_delivery_queued_before_a_reopen_sends_nothing(
    world, evaluation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        evaluation_approve(evaluation=evaluation, by=world.town_user)
    evaluation_reopen(evaluation=evaluation, by=world.town_user, reason="满意度数据有误")
    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:  # the worker reaches it only now
            callback()
    assert not Notification.objects.exists() and not mail.outbox
    assert not evaluation.events.filter(kind="delivered").exists()


@pytest.mark.django_db
def test_the_page_says_who_it_is_being_sent_to(client, world, evaluation):
    client.force_login(world.town_user)
    page = client.get(reverse("admin:governance_departmentevaluation_change", args=[evaluation.pk]))
    response = client.post(
        reverse("admin:evaluation_approve", args=[evaluation.pk]),
        {"shown": page.context["shown"]},
        follow=True,
    )
    text = response.text
    assert "县住建局、县绩效办、黄兴镇党委" in text
    assert DepartmentEvaluation.objects.get().status == EvaluationStatus.APPROVED


@pytest.mark.django_db
def test_a_delivery_lost_with_the_broker_is_sent_by_the_sweep_once(
    world, evaluation, django_capture_on_commit_callbacks
):
    task = yearend.current_app.tasks[yearend.DELIVER_TASK]
    with (
        mock.patch.object(task, "apply_async", side_effect=ConnectionError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        evaluation_approve(evaluation=evaluation, by=world.town_user)
    assert DepartmentEvaluation.objects.get().status == EvaluationStatus.APPROVED
    assert not Notification.objects.exists()
    soon = timezone.now() + timedelta(minutes=1)
    later = timezone.now() + timedelta(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluations_deliver_pending(now=soon) == 0  # its task may still be on its way
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluations_deliver_pending(now=later) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluations_deliver_pending(now=later) == 0
    assert set(by_address()) == ADDRESSES and len(mail.outbox) == 3


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (set DATABASE_URL): SQLite serialises all writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_record_one_set_of_messages(world):
    [evaluation] = drafts("县住建局")
    DepartmentEvaluation.objects.filter(pk=evaluation.pk).update(
        status=EvaluationStatus.APPROVED, approved_by=world.town_user, approved_at=timezone.now()
    )
    barrier = threading.Barrier(2)
    drawn = yearend.evaluation_pdf

    def draw_together(evaluation):
        pdf = drawn(evaluation)
        barrier.wait(timeout=30)  # both have drawn before either records
        return pdf

    def deliver():
        try:
            evaluation_deliver(evaluation=DepartmentEvaluation.objects.get(pk=evaluation.pk))
        finally:
            connections.close_all()

    with mock.patch.object(yearend, "evaluation_pdf", draw_together):
        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert Notification.objects.count() == 3
    assert EvaluationEvent.objects.filter(kind="delivered").count() == 1


@needs_worker[0]
@needs_worker[1]
def test_a_real_worker_draws_and_sends_each_approved_document_once(
    world, transactional_db, tmp_path
):
    evaluations = drafts("县住建局", "县城管局", "县水利局")
    with running_worker(tmp_path / "worker.log", EMAIL_URL="memorymail://") as log:
        for evaluation in evaluations:  # autocommit: each queued as it is approved
            evaluation_approve(evaluation=evaluation, by=world.town_user)
        assert wait_for(
            lambda: Notification.objects.filter(delivered_at__isnull=False).count() == 9,
            seconds=60,
        ), log.read_text()[-3000:]
        assert log.read_text().count("governance.tasks.evaluation_deliver_approved") >= 3
    assert Notification.objects.count() == 9
    assert EvaluationEvent.objects.filter(kind="delivered").count() == 3


@pytest.mark.django_db
def test_an_e_mail_that_fails_is_kept_for_the_retry_and_the_others_go(
    world, evaluation, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMultiAlternatives

    send = EmailMultiAlternatives.send

    def refuse_one(message, *args, **kwargs):
        if message.to == ["kpb@county.example.cn"]:
            raise OSError("mail server refused")
        return send(message, *args, **kwargs)

    with (
        mock.patch.object(EmailMultiAlternatives, "send", refuse_one),
        django_capture_on_commit_callbacks(execute=True),
    ):
        evaluation_approve(evaluation=evaluation, by=world.town_user)
    assert set(by_address()) == ADDRESSES - {"kpb@county.example.cn"}
    failed = Notification.objects.get(address="kpb@county.example.cn")
    assert failed.delivered_at is None and "refused" in failed.last_error
    assert failed.deliver_after > timezone.now()  # the sweep sends it again then
