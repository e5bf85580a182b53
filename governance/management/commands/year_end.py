"""manage.py year_end --year 2025: draft (or refresh) every department's evaluation for the
year and print how many got each grade. Approved evaluations are left as they are.

With `--approve-as town`, every draft of the year is then approved as that user (a town
committee member or a superuser), and so delivered once; a re-run delivers nothing new."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.models import EvaluationStatus, Grade
from governance.reports import branch_reports_draft
from governance.yearend import (
    EvaluationRefused,
    evaluation_approve,
    evaluations_draft,
    may_decide,
)

FIRST_YEAR = 2000


class Command(BaseCommand):
    help = "Draft the year end's department evaluations for a year that has ended."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="the year to evaluate, e.g. 2025")
        parser.add_argument(
            "--approve-as",
            metavar="USERNAME",
            help="then approve every draft as this town committee member (delivers each once)",
        )

    def handle(self, *args, year, approve_as=None, **options):
        approver = self._approver(approve_as) if approve_as else None
        this_year = timezone.localdate().year
        try:
            year = int(year)
        except ValueError:
            raise CommandError(f"--year must be a year such as {this_year - 1}.") from None
        if not FIRST_YEAR <= year < this_year:
            raise CommandError(
                f"--year must be a year that has ended, from {FIRST_YEAR} to {this_year - 1}."
            )
        evaluations = evaluations_draft(year=year)
        counts = dict.fromkeys(Grade.values, 0)
        for evaluation in evaluations:
            counts[evaluation.grade] += 1
        self.stdout.write(f"Department evaluations for {year}: {len(evaluations)}")
        for grade in Grade:
            self.stdout.write(f"  {grade.value}: {counts[grade.value]}")
        reports = branch_reports_draft(year=year)
        self.stdout.write(f"Branch annual reports drafted or refreshed for {year}: {len(reports)}")
        if approver is not None:
            self._approve(evaluations, approver)

    def _approver(self, username):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--approve-as: no user {username!r}.")
        if not may_decide(user):
            raise CommandError(
                f"--approve-as: {username} is not a town committee member or a superuser."
            )
        return user

    def _approve(self, evaluations, approver):
        approved, missing = 0, set()
        for evaluation in evaluations:
            if evaluation.status != EvaluationStatus.DRAFT:
                continue
            try:
                delivery = evaluation_approve(evaluation=evaluation, by=approver)
            except EvaluationRefused as refusal:  # approved meanwhile by someone else
                self.stderr.write(f"{evaluation}: {refusal.message}")
                continue
            approved += 1
            missing.update(delivery.missing)
        self.stdout.write(f"Approved and delivered: {approved}")
        if missing:
            self.stderr.write("Not sent (no e-mail address): " + ", ".join(sorted(missing)))
