from django.core.management.base import BaseCommand

from meetings import kept_photos, messaging, reminders, retention


class Command(BaseCommand):
    help = (
        "Run every periodic sweep once: return-visit reminders, the overdue digest, "
        "undelivered messages, the retention job and expired kept photos. For installs "
        "without Redis and beat (run it from cron every five minutes), and for the demo."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--any-hour",
            action="store_true",
            help="Ignore working hours (to see reminders in the demo at night).",
        )

    def handle(self, *args, **options):
        if options["any_hour"]:
            from django.test.utils import override_settings

            with override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24):
                counts = self._run()
        else:
            counts = self._run()
        self.stdout.write(
            "Reminder steps sent: {reminders}; digests: {digests}; messages re-sent: "
            "{undelivered}; appeals anonymised: {anonymised}; kept photos deleted: "
            "{kept_photos}.".format(**counts)
        )

    def _run(self):
        return {
            "reminders": reminders.sweep_return_visit_reminders(),
            "digests": reminders.sweep_digests(),
            "undelivered": messaging.sweep_undelivered(),
            "anonymised": retention.appeals_anonymise_closed().appeals_anonymised,
            "kept_photos": kept_photos.kept_photos_delete_stale(),
        }
