"""The scope gate for the year end's records (see branches.scope)."""

from django.db.models import QuerySet

from branches.scope import VIEW, may, register_gate

from .models import DepartmentEvaluation


def evaluations_for(user) -> QuerySet[DepartmentEvaluation]:
    """Departments serve the whole county: whoever may view evaluations (the town
    committee) sees every one; community staff and secretaries none."""
    evaluations = DepartmentEvaluation.objects.select_related("department")
    return evaluations if may(user, VIEW, DepartmentEvaluation) else evaluations.none()


register_gate(DepartmentEvaluation, evaluations_for)
