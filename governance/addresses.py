"""An address saved after an evaluation was approved: the evaluation goes to it then.

Approval sends each evaluation once to the recipients that have an address; one without is
named on the page ("not sent: no e-mail address"). When that address is saved later, on a
department (meetings' admin) or on a year-end recipient, the missed messages are sent, once,
by a task queued when the save commits. A signal, because meetings sits below governance
and may not call it (test_import_rules)."""

from django.db import transaction
from django.db.models.signals import post_save

from meetings.models import Department

from .models import DepartmentEvaluation, EvaluationStatus, YearEndRecipient


def _queue(department_id=None) -> None:
    from .tasks import evaluations_deliver_missed

    transaction.on_commit(lambda: evaluations_deliver_missed.delay(department_id), robust=True)


def _approved_exist(**filters) -> bool:
    return DepartmentEvaluation.objects.filter(status=EvaluationStatus.APPROVED, **filters).exists()


def department_saved(sender, instance, **kwargs) -> None:
    if instance.emails.strip() and _approved_exist(department=instance):
        _queue(instance.pk)


def recipient_saved(sender, instance, **kwargs) -> None:
    if instance.emails.strip() and _approved_exist():
        _queue()


def connect() -> None:
    post_save.connect(department_saved, sender=Department, dispatch_uid="evaluation-department")
    post_save.connect(recipient_saved, sender=YearEndRecipient, dispatch_uid="evaluation-recipient")
