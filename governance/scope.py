"""The scope gate for the year end's records (see branches.scope)."""

from django.db.models import QuerySet

from branches.scope import VIEW, estate_scoped, may, register_gate

from .models import BranchReport, DepartmentEvaluation, RectificationMeasure, YearEndRun


def evaluations_for(user) -> QuerySet[DepartmentEvaluation]:
    """Departments serve the whole county: whoever may view evaluations (the town
    committee) sees every one; community staff and secretaries none."""
    evaluations = DepartmentEvaluation.objects.select_related("department")
    return evaluations if may(user, VIEW, DepartmentEvaluation) else evaluations.none()


register_gate(DepartmentEvaluation, evaluations_for)


def reports_for(user) -> QuerySet[BranchReport]:
    """Branch reports of the estates in the user's scope, for whoever may view them."""
    reports = BranchReport.objects.select_related("estate__community")
    if not may(user, VIEW, BranchReport):
        return reports.none()
    return estate_scoped(reports, user)


def measures_for(user) -> QuerySet[RectificationMeasure]:
    measures = RectificationMeasure.objects.all()
    if not may(user, VIEW, RectificationMeasure):
        return measures.none()
    return estate_scoped(measures, user, estate_field="report__estate")


register_gate(BranchReport, reports_for)
register_gate(RectificationMeasure, measures_for)


def year_end_runs_for(user) -> QuerySet[YearEndRun]:
    """The year-end runs' progress: for whoever may view runs (the town committee)."""
    runs = YearEndRun.objects.all()
    return runs if may(user, VIEW, YearEndRun) else runs.none()


register_gate(YearEndRun, year_end_runs_for)
