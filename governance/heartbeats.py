"""Heartbeats of the periodic jobs: a completed run of an entry of the Celery schedule, or of
a sweep of `manage.py run_sweeps`, leaves the time in its `Heartbeat` row, so /healthz and
the health page can say how long ago each ran (governance/queries.py reads them).

Who records: for the schedule, governance/celery.py's `task_success` receiver, for every task
that is an entry of the schedule, whichever app it belongs to (meetings and zeroindex do not
import governance); for cron, the command itself. Only the time is kept: what a run did is
in its own records (messages, events)."""

from datetime import datetime

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name: str, at: datetime | None = None) -> None:
    """The entry `name` completed a run now (or `at`): one statement, an upsert."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["at"],
    )
