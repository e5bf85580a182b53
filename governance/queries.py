"""Reads that /healthz and the health page share: when each periodic job last completed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import crontab, schedule
from django.conf import settings
from django.db.models import Max

from .celery import app
from .models import Heartbeat


@dataclass(frozen=True)
class SweepRun:
    """An entry of the Celery schedule and its heartbeat: `late_by` is how long ago it
    should have run again (None: never ran, or not late)."""

    name: str
    task: str
    every: timedelta | None  # an interval; None for a time of day (crontab)
    cron: str  # "minute hour day month weekday", for a time of day
    at: datetime | None
    late_by: timedelta | None

    @property
    def late(self) -> bool:
        return self.late_by is not None and self.late_by > sweep_stale_after()


def sweep_stale_after() -> timedelta:
    return timedelta(minutes=settings.HEALTH_SWEEP_STALE_MINUTES)


def sweep_latest() -> datetime | None:
    """When the last periodic job completed (any of them), or None: none ever did."""
    return Heartbeat.objects.aggregate(at=Max("at"))["at"]


def _schedule(entry: dict):
    every = entry["schedule"]
    if isinstance(every, int | float | timedelta):
        seconds = every.total_seconds() if isinstance(every, timedelta) else every
        return schedule(timedelta(seconds=seconds), app=app)
    return every


def sweeps_last_runs(*, now: datetime) -> list[SweepRun]:
    """Every entry of the schedule (governance/celery.py) with its last completed run, and
    any other heartbeat (cron's run_sweeps without beat), in one query."""
    beats = dict(Heartbeat.objects.values_list("name", "at"))
    runs = []
    for name, entry in app.conf.beat_schedule.items():
        when = _schedule(entry)
        at = beats.pop(name, None)
        late_by = None
        if at is not None:
            # how long ago its next run after `at` was due (negative: not yet due)
            due_in = when.remaining_estimate(at)
            late_by = -due_in if due_in < timedelta(0) else None
        every = when.run_every if isinstance(when, schedule) else None
        cron = "" if every else _cron_text(when)
        runs.append(SweepRun(name, entry["task"], every, cron, at, late_by))
    runs += [SweepRun(name, "", None, "", at, None) for name, at in sorted(beats.items())]
    return runs


def _cron_text(when) -> str:
    if not isinstance(when, crontab):
        return str(when)
    parts = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    return " ".join(str(getattr(when, f"_orig_{part}")) for part in parts)
