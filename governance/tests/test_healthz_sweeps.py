"""/healthz shows how long ago the last periodic job completed, so a beat that stopped (or
workers that all stopped, or a cron that no longer runs `manage.py run_sweeps`) is seen as
an age that grows, "stale" after HEALTH_SWEEP_STALE_MINUTES: every completed run of an
entry of the Celery schedule leaves its heartbeat, and so does the cron command. The checks
read on connections of their own, so the data here is committed (transaction=True)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from governance.celery import app
from governance.heartbeats import heartbeat_record
from governance.models import Heartbeat
from meetings.tasks import deliver_notification, run_sweeps

pytestmark = pytest.mark.django_db(transaction=True)


def sweeps(client) -> dict:
    response = client.get("/healthz")
    assert response.status_code == 200  # a stopped beat does not take the site down
    return response.json()["sweeps"]


def test_before_any_job_ran_it_says_never(client):
    assert sweeps(client) == {"state": "never", "age_seconds": None}


def test_a_scheduled_task_that_completes_leaves_its_heartbeat(client):
    run_sweeps.apply()  # through Celery's task tracer, as a worker runs it
    assert list(Heartbeat.objects.values_list("name", flat=True)) == ["meetings-sweeps"]
    found = sweeps(client)
    assert found["state"] == "ok" and found["age_seconds"] is not None


def test_a_task_outside_the_schedule_leaves_none(client):
    deliver_notification.apply(args=[0])
    assert not Heartbeat.objects.exists()


def test_a_beat_that_stopped_shows_as_stale(client, settings):
    """Every job ran, then the beat stopped: 16 minutes later, beyond the 15 allowed."""
    settings.HEALTH_SWEEP_STALE_MINUTES = 15
    stopped = timezone.now() - timedelta(minutes=16)
    for name in app.conf.beat_schedule:
        heartbeat_record(name=name, at=stopped)
    found = sweeps(client)
    assert found["state"] == "stale"
    assert found["age_seconds"] >= 16 * 60

    heartbeat_record(name="meetings-sweeps", at=timezone.now() - timedelta(minutes=14))
    assert sweeps(client)["state"] == "ok"  # the newest run counts


def test_the_cron_command_leaves_heartbeats_too(client):
    call_command("run_sweeps", stdout=io.StringIO())
    assert Heartbeat.objects.filter(name="meetings-sweeps").exists()
    assert sweeps(client)["state"] == "ok"
