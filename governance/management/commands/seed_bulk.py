"""manage.py seed_bulk --appeals N: a large, realistic town for benchmarks, on PostgreSQL
(governance/bulk.py says what it makes and how)."""

from django.core.management.base import BaseCommand, CommandError

from governance.bulk import (
    BULK_TOWN,
    DEFAULT_DEPARTMENTS,
    BulkRefused,
    bulk_town_appeals,
    seed_bulk,
)


class Command(BaseCommand):
    help = (
        f"Create the benchmark town {BULK_TOWN} (20 communities, 200 estates, 2,000 "
        "buildings, staff users bulk-town, bulk-c01..c20, bulk-e001..e200 with the demo "
        "password) and exactly N appeals over five years with their events, return visits, "
        "meetings and five-zero incidents, by set-based SQL; then rebuild the roll-ups. "
        "PostgreSQL only. Refuses when the bulk town exists already (seed a fresh database "
        "to start again), or with --if-missing leaves it as it is. Locks the appeal tables "
        "while it runs: not for a live database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--appeals", type=int, required=True, help="how many appeals")
        parser.add_argument(
            "--departments",
            type=int,
            default=DEFAULT_DEPARTMENTS,
            help=f"departments the appeals are referred to (default {DEFAULT_DEPARTMENTS})",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="when the bulk town exists, say so and reuse it instead of refusing",
        )

    def handle(self, *args, appeals, departments, if_missing=False, **options):
        existing = bulk_town_appeals()
        if if_missing and existing is not None:
            self.stdout.write(f"{BULK_TOWN} exists ({existing:,} appeals): reused.")
            return
        self.stdout.write(f"Seeding {BULK_TOWN} with {appeals:,} appeals:")
        try:
            seeded = seed_bulk(appeals=appeals, departments=departments, say=self.stdout.write)
        except BulkRefused as refusal:
            raise CommandError(str(refusal)) from None
        counts = ", ".join(f"{n:,} {name}" for name, n in seeded.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Done in {seeded.total:.1f} s: {counts}."))
