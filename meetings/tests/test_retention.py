"""Contact details of appeals closed longer ago than the retention period are erased, with
their photos; the appeals stay for the statistics; a second run changes nothing."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from meetings.models import Appeal, AppealPhoto, RetentionRun
from meetings.photos import clean_photo
from meetings.retention import appeals_anonymise_closed, months_before


def closed_at(appeal, when):
    Appeal.objects.filter(pk=appeal.pk).update(
        status="closed", closure_reason="solved", closed_at=when
    )


def a_photo():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="PNG")
    return clean_photo(SimpleUploadedFile("p.png", buffer.getvalue()))


@override_settings(APPEAL_CONTACT_RETENTION_MONTHS=24)
def test_retention_at_its_edge_and_twice(new_appeal, django_capture_on_commit_callbacks):
    from django.utils import timezone

    now = timezone.now()
    edge = months_before(now, 24)
    old = new_appeal(title="两年多以前关闭", photos=[a_photo()])
    recent = new_appeal(title="差一天满两年", contact_phone="13900000001")
    still_open = new_appeal(title="仍在办理", contact_phone="13900000002")
    closed_at(old, edge - timedelta(minutes=1))
    closed_at(recent, edge + timedelta(days=1))
    Appeal.objects.filter(pk=still_open.pk).update(created_at=edge - timedelta(days=400))
    stored = AppealPhoto.objects.get(appeal=old).image
    storage, name = stored.storage, stored.name

    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        run = appeals_anonymise_closed(now)
    assert (run.appeals_anonymised, run.photos_removed) == (1, 1)
    assert not storage.exists(name)  # the file goes with its row, once the erasure commits
    old.refresh_from_db()
    assert (old.contact_name, old.contact_phone) == ("", "")
    assert old.anonymised_at is not None
    assert old.title == "两年多以前关闭" and old.category_id and old.estate_id  # statistics stay
    assert not AppealPhoto.objects.filter(appeal=old).exists()
    for untouched in (recent, still_open):
        untouched.refresh_from_db()
        assert untouched.contact_phone and untouched.anonymised_at is None

    again = appeals_anonymise_closed(now)
    assert (again.appeals_anonymised, again.photos_removed) == (0, 0)
    assert RetentionRun.objects.count() == 2


def test_months_before_keeps_the_month_end():
    from datetime import datetime

    from django.utils import timezone

    march_31 = timezone.make_aware(datetime(2026, 3, 31, 10, 0))
    assert months_before(march_31, 1).date().isoformat() == "2026-02-28"
    assert months_before(march_31, 24).date().isoformat() == "2024-03-31"


@override_settings(APPEAL_CONTACT_RETENTION_MONTHS=24)
def test_phone_numbers_typed_into_texts_go_too(world, new_appeal, department):
    from django.utils import timezone

    from meetings.models import AppealEvent, Notification, ReturnVisit
    from meetings.services import appeal_route

    appeal = new_appeal(description="请打13812345678找我，或者打我儿子的 13987654321。")
    appeal_route(
        appeal=appeal,
        to="refer",
        by=world.secretary_a1,
        department=department,
        internal_note="居民说白天打 13812345678",
    )
    ReturnVisit.objects.create(
        appeal=appeal,
        channel="phone",
        reached=False,
        note="打13812345678无人接，+86 139 8765 4321 也没人",
    )
    closed_at(appeal, months_before(timezone.now(), 25))
    appeals_anonymise_closed()
    appeal.refresh_from_db()
    texts = [appeal.description]
    texts += [e.internal_note for e in AppealEvent.objects.filter(appeal=appeal)]
    texts += [v.note for v in ReturnVisit.objects.filter(appeal=appeal)]
    texts += [n.text + n.html for n in Notification.objects.filter(appeal=appeal)]
    joined = " ".join(texts)
    assert "13812345678" not in joined and "13987654321" not in joined
    assert "8765 4321" not in joined  # written with spaces after +86
    assert "请打" in appeal.description  # the rest of the text stays
