"""The scope gate for the year end's records (see branches.scope)."""

from django.db.models import QuerySet

from branches.scope import VIEW, may, register_gate

from .models import DepartmentEvaluation, YearEndRun


def evaluations_for(user) -> QuerySet[DepartmentEvaluation]:
    """Departments serve the whole county: whoever may view evaluations (the town
    committee) sees every one; community staff and secretaries none."""
    evaluations = DepartmentEvaluation.objects.select_related("department")
    return evaluations if may(user, VIEW, DepartmentEvaluation) else evaluations.none()


register_gate(DepartmentEvaluation, evaluations_for)


def year_end_runs_for(user) -> QuerySet[YearEndRun]:
    """The year-end runs' progress: for whoever may view runs (the town committee)."""
    runs = YearEndRun.objects.all()
    return runs if may(user, VIEW, YearEndRun) else runs.none()


register_gate(YearEndRun, year_end_runs_for)
