"""Photos kept for a resident's retry that were never filed are deleted, files included,
once they are a day old: by the nightly task (in the one schedule) and by run_sweeps."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from meetings.kept_photos import kept_photos_store
from meetings.models import PendingPhoto
from meetings.photos import clean_photo


def a_photo():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="PNG")
    return clean_photo(SimpleUploadedFile("p.png", buffer.getvalue()))


def kept(hours_ago):
    now = timezone.now() - timedelta(hours=hours_ago)
    (photo,) = kept_photos_store(session_key="s" * 32, photos=[a_photo()], now=now)
    return photo


def exists(photo):
    return photo.image.storage.exists(photo.image.name)


@pytest.fixture
def old_and_fresh(db):
    old, fresh = kept(hours_ago=25), kept(hours_ago=23)
    assert exists(old) and exists(fresh)
    return old, fresh


def check(old, fresh):
    assert list(PendingPhoto.objects.all()) == [fresh]
    assert not exists(old)
    assert exists(fresh)


def test_the_nightly_task_deletes_day_old_kept_photos_and_keeps_fresh_ones(
    old_and_fresh, django_capture_on_commit_callbacks
):
    from meetings.tasks import delete_stale_kept_photos

    with django_capture_on_commit_callbacks(execute=True):
        assert delete_stale_kept_photos.delay().get() == 1
    check(*old_and_fresh)


def test_run_sweeps_deletes_them_too(old_and_fresh, django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_sweeps")
    check(*old_and_fresh)
    assert "kept photos deleted: 1" in capsys.readouterr().out


def test_the_task_is_in_the_nightly_schedule():
    from governance.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "meetings.tasks.delete_stale_kept_photos" in tasks
