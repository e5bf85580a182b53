"""Each estate branch's annual report: drafted (and refreshed while a draft) by the year-end
run, published by the estate's secretary or its community's staff, then frozen.

The figures of a report, all counted in the database, grouped by estate, in a fixed number of
queries whatever the number of estates and appeals (meetings.queries.estate_year_figures and
estate_year_meetings; zeroindex.queries.estate_year_zeros and estate_year_tasks):

- **resolution rate** = appeals solved (closed as solved) / appeals received in the year
  (duplicates left out);
- **satisfaction rate** = return visits answered "satisfied" or "basically satisfied" /
  return visits that reached the resident, for the year's appeals;
- **response rate** = appeals acknowledged no later than their response due time
  (APPEAL_RESPONSE_DAYS after they came in) / appeals received;
- overdue and unsolved appeals are counted as at the run (a re-run refreshes them);
- five-zero months are the year's ended months known and five-zero; the year-end title is
  the whole year five-zero; survey tasks are those due in the year, done / not dropped.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from branches.models import Estate
from branches.scope import CHANGE, estates_for, may
from meetings.queries import EstateYearFigures, estate_year_figures, estate_year_meetings
from zeroindex.queries import estate_year_tasks, estate_year_zeros

from .models import BranchReport, ReportStatus

FIGURES = [
    "received",
    "solved",
    "acknowledged_in_time",
    "visits",
    "visits_answered",
    "visits_satisfied",
    "meetings",
    "five_zero_months",
    "five_zero_year",
    "tasks_done",
    "tasks_total",
    "overdue",
    "unsolved",
    "dissatisfied",
    "categories",
]


def _fill(report: BranchReport, appeals, meetings, zeros, tasks, at) -> None:
    report.received = appeals.received
    report.solved = appeals.solved
    report.acknowledged_in_time = appeals.acknowledged_in_time
    report.visits = appeals.visits
    report.visits_answered = appeals.visits_answered
    report.visits_satisfied = appeals.visits_satisfied
    report.overdue = appeals.overdue
    report.unsolved = appeals.unsolved
    report.dissatisfied = appeals.dissatisfied
    report.meetings = meetings
    report.five_zero_months = zeros.five_zero_months if zeros else 0
    report.five_zero_year = zeros.five_zero_year if zeros else False
    report.categories = zeros.categories if zeros else {}
    report.tasks_done, report.tasks_total = tasks
    report.drafted_at = at


def branch_reports_draft(*, year: int, at=None) -> list[BranchReport]:
    """Every estate's report for `year`, created or refreshed; a published one is left as
    it is. Idempotent: (estate, year) exists once. Returns the drafts it wrote."""
    at = at or timezone.now()
    estates = Estate.objects.all()
    estate_list = list(estates.select_related("community").order_by("pk"))
    ids = [e.pk for e in estate_list]
    appeals = estate_year_figures(year=year, estate_ids=ids, now=at)
    meetings = estate_year_meetings(year=year, estates=estate_list)
    zeros = estate_year_zeros(year=year, estates=estates)
    tasks = estate_year_tasks(year=year, estate_ids=ids)
    with transaction.atomic():
        existing = {
            r.estate_id: r
            for r in BranchReport.objects.select_for_update().filter(year=year, estate__in=ids)
        }
        new, refreshed = [], []
        for estate in estate_list:
            report = existing.get(estate.pk)
            if report is not None and report.status != ReportStatus.DRAFT:
                continue
            if report is None:
                report = BranchReport(estate=estate, year=year)
                new.append(report)
            else:
                refreshed.append(report)
            _fill(
                report,
                appeals.get(estate.pk, EstateYearFigures()),
                meetings[estate.pk],
                zeros.get(estate.pk),
                tasks.get(estate.pk, (0, 0)),
                at,
            )
        BranchReport.objects.bulk_update(refreshed, [*FIGURES, "drafted_at"], batch_size=500)
        # ignore_conflicts: a run racing this one made it first; the next run refreshes it
        BranchReport.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return refreshed + new


def may_publish(*, report: BranchReport, user) -> bool:
    """The estate's secretary or its community's staff (whoever may change reports and sees
    the estate); the committee only reads."""
    return (
        may(user, CHANGE, BranchReport) and estates_for(user).filter(pk=report.estate_id).exists()
    )


def branch_report_publish(*, report: BranchReport, by) -> BranchReport:
    """Publish a draft for residents to read; from then on it is frozen. Publishing a
    published report changes nothing."""
    if not may_publish(report=report, user=by):
        raise PermissionDenied
    with transaction.atomic():
        report = BranchReport.objects.select_for_update().get(pk=report.pk)
        if report.status == ReportStatus.DRAFT:
            report.status = ReportStatus.PUBLISHED
            report.published_by = by
            report.published_at = timezone.now()
            report.save(update_fields=["status", "published_by", "published_at"])
    return report
