from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from governance.celery import app
from governance.tasks import sessions_clear_expired


def test_expired_sessions_are_cleared_and_live_ones_kept(db):
    live, old = SessionStore(), SessionStore()
    live.create()
    old.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    assert sessions_clear_expired() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_the_schedule_names_only_registered_tasks():
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks
