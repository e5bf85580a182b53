import time

from django.core.management.base import BaseCommand, CommandError

from meetings.rollups import rollups_rebuild, rollups_verify


class Command(BaseCommand):
    help = (
        "The daily and month roll-ups behind the committee's figures (meetings/rollups.py). "
        "--rebuild recomputes them from appeals, events and return visits in one transaction "
        "(the month tables folded from the daily ones); --verify recounts them and prints each "
        "difference (table, key, column, stored, recount), exiting non-zero on any."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--rebuild", action="store_true", help="Recompute every table.")
        action.add_argument("--verify", action="store_true", help="Compare with a recount.")

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["rebuild"]:
            written = rollups_rebuild()
            rows = ", ".join(f"{table} {n}" for table, n in written.items())
            self.stdout.write(f"Rebuilt in {time.monotonic() - started:.1f} s: {rows} rows.")
            return
        differences = rollups_verify()
        for difference in differences:
            self.stdout.write(str(difference))
        if differences:
            raise CommandError(
                f"{len(differences)} difference(s) between the roll-ups and a recount; "
                "`manage.py rollups --rebuild` recomputes them."
            )
        self.stdout.write(f"The roll-ups equal a recount ({time.monotonic() - started:.1f} s).")
