"""manage.py year_end --year 2025: draft (or refresh) every department's evaluation for the
year and print how many got each grade. Approved evaluations are left as they are."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.models import Grade
from governance.reports import branch_reports_draft
from governance.yearend import evaluations_draft

FIRST_YEAR = 2000


class Command(BaseCommand):
    help = "Draft the year end's department evaluations for a year that has ended."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="the year to evaluate, e.g. 2025")

    def handle(self, *args, year, **options):
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
