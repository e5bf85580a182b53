"""manage.py year_end --year 2025: run the year end for a year that has ended, here and now,
by the same steps the Celery run takes (governance/yearend_run.py): draft (or refresh) every
department's evaluation and every branch's annual report, with a progress bar (plain lines
when not on a terminal), and print how many got each grade. Approved evaluations and
published reports are left as they are; nothing is delivered, unless `--approve-as USER`
approves every draft as that committee member (each then delivered once); drafts graded
"not evaluated" are left for a person to decide."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from governance import yearend_run
from governance.models import DepartmentEvaluation, EvaluationStatus, Grade, YearEndRun
from governance.yearend import EvaluationRefused, evaluation_approve, may_decide

FIRST_YEAR = 2000
BAR = 30


class Command(BaseCommand):
    help = "Run the year end (department evaluations, as drafts) for a year that has ended."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="the year to evaluate, e.g. 2025")
        parser.add_argument(
            "--approve-as",
            metavar="USERNAME",
            help=(
                "then approve every evaluated draft as this town committee member (delivers "
                "each once; 'not evaluated' drafts are left as drafts)"
            ),
        )

    def handle(self, *args, year, approve_as=None, **options):
        # an empty --approve-as is a mistake, not "approve nothing" (a script's unset variable)
        approver = self._approver(approve_as) if approve_as is not None else None
        this_year = timezone.localdate().year
        try:
            year = int(year)
        except ValueError:
            raise CommandError(f"--year must be a year such as {this_year - 1}.") from None
        if not FIRST_YEAR <= year < this_year:
            raise CommandError(
                f"--year must be a year that has ended, from {FIRST_YEAR} to {this_year - 1}."
            )
        run = yearend_run.year_end_start(year=year)
        planned = yearend_run.year_end_plan(year=year, attempt=run.attempt)
        total = sum(len(chunk) for _, _, chunk in planned)
        self._progress(0, total)
        done = 0
        for step, index, chunk in planned:
            yearend_run.year_end_chunk(
                year=year, attempt=run.attempt, step=step, index=index, chunk=chunk
            )
            done += len(chunk)
            self._progress(done, total)
        if self.stdout.isatty():
            self.stdout.write("")
        run = YearEndRun.objects.get(year=year)
        counts = dict(
            DepartmentEvaluation.objects.filter(year=year)
            .order_by()
            .values_list("grade")
            .annotate(n=Count("pk"))
        )
        self.stdout.write(
            f"Department evaluations for {year}: {sum(counts.values())} ({run.state}, "
            f"{run.done}/{run.total})"
        )
        for grade in Grade:
            self.stdout.write(f"  {grade.value}: {counts.get(grade.value, 0)}")
        if approver is not None:
            self._approve(DepartmentEvaluation.objects.filter(year=year), approver)

    def _approver(self, username):
        if not username.strip():
            raise CommandError("--approve-as needs a username (a town committee member).")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--approve-as: no user {username!r}.")
        if not may_decide(user):
            raise CommandError(
                f"--approve-as: {username} is not a town committee member or a superuser."
            )
        return user

    def _approve(self, evaluations, approver):
        approved, not_evaluated, missing = 0, 0, set()
        for evaluation in evaluations.select_related("department"):
            if evaluation.status != EvaluationStatus.DRAFT:
                continue
            if evaluation.grade == Grade.NOT_EVALUATED:
                # nothing to judge: a document saying so is for a person to decide to send
                not_evaluated += 1
                continue
            try:
                delivery = evaluation_approve(evaluation=evaluation, by=approver)
            except EvaluationRefused as refusal:  # approved meanwhile by someone else
                self.stderr.write(f"{evaluation}: {refusal.message}")
                continue
            approved += 1
            missing.update(delivery.missing)
        self.stdout.write(f"Approved: {approved} (each document queued for delivery, once)")
        if not_evaluated:
            self.stdout.write(
                f"Left as drafts, not evaluated (no reviews and no referrals): {not_evaluated}"
            )
        if missing:
            self.stderr.write("Not sent (no e-mail address): " + ", ".join(sorted(missing)))

    def _progress(self, done: int, total: int) -> None:
        filled = BAR * done // total if total else BAR
        line = f"[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}"
        if self.stdout.isatty():
            self.stdout.write(f"\r{line}", ending="")
            self.stdout.flush()
        else:
            self.stdout.write(line)
