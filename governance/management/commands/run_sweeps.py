from django.core.management.base import BaseCommand, CommandError

from governance.commitment_reminders import sweep_commitment_reminders
from governance.heartbeats import heartbeat_record
from governance.measures import sweep_measure_reminders
from governance.org_life import sweep_org_life_reminders
from governance.yearend import evaluations_deliver_pending
from meetings import kept_photos, messaging, reminders, retention
from meetings.queries import messages_by_kind
from zeroindex import reminders as task_reminders

# The entries of the Celery schedule (governance/celery.py) that one run does: each leaves
# its heartbeat, so /healthz sees a cron that stopped as it sees a beat that stopped.
SCHEDULE_ENTRIES = (
    "meetings-sweeps",
    "survey-task-reminders",
    "measure-reminders",
    "evaluation-deliveries",
    "appeals-retention",
    "kept-photos-expire",
    "org-life-reminders",
    "commitment-reminders",
)


class Command(BaseCommand):
    help = (
        "Run every periodic sweep once: return-visit reminders, the overdue digest, "
        "survey task and rectification measure reminders, "
        "approved evaluations not yet delivered, undelivered messages, the retention job "
        "and expired kept photos. For installs "
        "without Redis and beat (run it from cron every five minutes), and for the demo. "
        "Exits non-zero, naming them, when messages could not be handed over to Celery."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--any-hour",
            action="store_true",
            help="Ignore working hours (to see reminders in the demo at night).",
        )

    def handle(self, *args, **options):
        with messaging.handovers_watched() as not_handed_over:
            if options["any_hour"]:
                from django.test.utils import override_settings

                with override_settings(WORKING_HOURS_START=0, WORKING_HOURS_END=24):
                    counts = self._run()
            else:
                counts = self._run()
            lost = not_handed_over()
        for name in SCHEDULE_ENTRIES:
            heartbeat_record(name=name)
        self.stdout.write(
            "Reminder steps sent: {reminders}; digests: {digests}; survey task reminders: "
            "{task_reminders}; measure reminders: {measure_reminders}; evaluation messages: "
            "{evaluations}; messages handed on: "
            "{undelivered}; appeals anonymised: {anonymised}; kept photos deleted: "
            "{kept_photos}.".format(**counts)
        )
        self.stdout.write(
            "Organisational life overdue reminders: {org_life_reminders}.".format(**counts)
        )
        self.stdout.write(f"Commitment reminders: {counts['commitment_reminders']}.")
        if lost:
            # Nothing is lost (the rows stay and the next run hands them over), but a broker
            # that stays down must not go unnoticed: cron mails a failing command's output.
            kinds = ", ".join(
                f"{kind}: {n}" for kind, n in sorted(messages_by_kind(ids=lost).items())
            )
            raise CommandError(
                f"Could not hand {len(lost)} message{'s' if len(lost) != 1 else ''} over to "
                f"Celery (is Redis up? the log above says why): {kinds}. They are kept and "
                "sent by the next run that reaches the broker."
            )

    def _run(self):
        return {
            "reminders": reminders.sweep_return_visit_reminders(),
            "digests": reminders.sweep_digests(),
            "task_reminders": task_reminders.sweep_task_reminders(),
            "measure_reminders": sweep_measure_reminders(),
            "evaluations": evaluations_deliver_pending(),
            "undelivered": messaging.sweep_undelivered(),
            "anonymised": retention.appeals_anonymise_closed().appeals_anonymised,
            "kept_photos": kept_photos.kept_photos_delete_stale(),
            "org_life_reminders": sweep_org_life_reminders(),
            "commitment_reminders": sweep_commitment_reminders(),
        }
