"""The periodic sweeps, the claim on a message and the broker's visibility timeout are
settings: by default the schedule is every five minutes, a claim lasts five minutes and a
dead worker's task comes back after an hour; the environment (the topology test) shortens
them. Each case starts a fresh Python process with exactly that environment."""

import json

from governance.tests.test_settings_from_environment import run_settings

PRINT_TIMES = """
import json, django
django.setup()
from django.conf import settings as s
from governance.celery import app
from meetings.messaging import claim_lease
print(json.dumps({
    "sweeps": {n: e["schedule"] for n, e in app.conf.beat_schedule.items()
               if isinstance(e["schedule"], int)},
    "claim": claim_lease().total_seconds(),
    "visibility": s.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
    "restore": s.CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"],
}))
"""
EVERY_FIVE_MINUTES = {
    "meetings-sweeps",
    "survey-task-reminders",
    "measure-reminders",
    "evaluation-deliveries",
    "commitment-reminders",
}


def test_by_default_the_sweeps_run_every_five_minutes_and_a_dead_workers_task_waits_an_hour():
    result = run_settings(PRINT_TIMES, DEBUG="true")
    assert result.returncode == 0, result.stderr
    times = json.loads(result.stdout)
    assert times["sweeps"] == dict.fromkeys(EVERY_FIVE_MINUTES, 300)
    assert times["claim"] == 300
    assert (times["visibility"], times["restore"]) == (3600, 100)


def test_the_environment_shortens_them():
    result = run_settings(
        PRINT_TIMES,
        DEBUG="true",
        SWEEP_INTERVAL_SECONDS="2",
        NOTIFICATION_CLAIM_SECONDS="4",
        BROKER_VISIBILITY_TIMEOUT="12",
        BROKER_RESTORE_INTERVAL="1",
    )
    assert result.returncode == 0, result.stderr
    times = json.loads(result.stdout)
    assert times["sweeps"] == dict.fromkeys(EVERY_FIVE_MINUTES, 2)
    assert times["claim"] == 4
    assert (times["visibility"], times["restore"]) == (12, 1)
