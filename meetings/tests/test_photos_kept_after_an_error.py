"""A resident who chose photos and made a mistake elsewhere on the form does not choose them
again: valid photos are kept (checked and stripped of metadata) for the retry, shown as kept
with a way to remove each, and filed with the appeal. Only the browser that sent them sees
or files them. At most three photos in all; more gets a clear message and loses nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from meetings import resident_session
from meetings.models import Appeal, AppealPhoto, PendingPhoto


def photo(name="p.jpg", size=(64, 48), colour=(200, 30, 30)):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    Image.new("RGB", size, colour).save(buffer, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def post(client, data, **extra):
    return client.post("/appeals/new/", data, **extra)


def files_of(photos):
    return [(p.image.storage, p.image.name) for p in photos]


def test_photos_are_kept_after_an_error_and_filed_with_the_corrected_appeal(
    client, form_data, django_capture_on_commit_callbacks
):
    response = post(client, {**form_data, "title": "", "photos": [photo(), photo("q.jpg")]})
    html = response.content.decode()
    assert response.status_code == 200 and not Appeal.objects.exists()
    assert "已保留 2 张照片" in html or "2 photos kept" in html
    assert "请重新选择" not in html and "choose them again" not in html
    kept = list(PendingPhoto.objects.all())
    assert len(kept) == 2
    stored = files_of(kept)
    data = kept[0].image.open("rb").read()
    assert b"SecretCam" not in data  # what is kept is the cleaned photo

    with django_capture_on_commit_callbacks(execute=True):  # files go once it is committed
        filed = post(client, form_data)  # corrected; no photos chosen this time
    assert filed.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.photos.count() == 2
    assert b"SecretCam" not in appeal.photos.first().image.open("rb").read()
    assert not PendingPhoto.objects.exists()
    assert not any(storage.exists(name) for storage, name in stored)


def test_a_kept_photo_is_removed_by_ticking_it(
    client, form_data, django_capture_on_commit_callbacks
):
    post(
        client,
        {**form_data, "title": "", "photos": [photo(size=(30, 30)), photo(size=(50, 40))]},
    )
    first, second = PendingPhoto.objects.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        html = post(client, {**form_data, "title": "", "remove_kept": ["1"]}).content.decode()
    assert "已保留 1 张照片" in html or "1 photo kept" in html
    assert list(PendingPhoto.objects.all()) == [second]
    assert not first.image.storage.exists(first.image.name)

    post(client, form_data)
    assert [(p.width, p.height) for p in AppealPhoto.objects.all()] == [(50, 40)]


def test_kept_and_new_photos_are_at_most_three_in_all_and_none_is_lost(client, form_data):
    post(client, {**form_data, "title": "", "photos": [photo(), photo()]})
    too_many = post(client, {**form_data, "photos": [photo(), photo()]})
    html = too_many.content.decode()
    assert too_many.status_code == 200 and not Appeal.objects.exists()
    assert "最多3张" in html or "At most 3 photos" in html
    assert "已保留 4 张照片" in html or "4 photos kept" in html
    assert PendingPhoto.objects.count() == 4

    assert post(client, {**form_data, "remove_kept": ["2"]}).status_code == 302
    assert Appeal.objects.get().photos.count() == 3
    assert not PendingPhoto.objects.exists()


def test_a_new_photo_with_kept_ones_is_filed_with_them(client, form_data):
    post(client, {**form_data, "contact_phone": "123", "photos": [photo()]})
    assert post(client, {**form_data, "photos": [photo()]}).status_code == 302
    assert Appeal.objects.get().photos.count() == 2


def test_another_browser_never_sees_nor_files_someone_elses_kept_photos(client, form_data):
    post(client, {**form_data, "title": "", "photos": [photo()]})
    theirs = PendingPhoto.objects.get()
    other = Client()

    page = other.get("/appeals/new/").content.decode()
    assert 'id="kept-photos"' not in page
    assert other.get("/appeals/new/kept/1/").status_code == 404
    # even a session that somehow lists the other's photo cannot show or file it
    session = other.session
    session[resident_session.KEPT] = [theirs.pk]
    session.save()
    other.cookies["sessionid"] = session.session_key
    assert other.get("/appeals/new/kept/1/").status_code == 404
    page = post(other, {**form_data, "title": ""}).content.decode()
    assert 'id="kept-photos"' not in page
    assert post(other, {**form_data, "title": "另一件事"}).status_code == 302
    assert not Appeal.objects.get().photos.exists()
    assert PendingPhoto.objects.get() == theirs  # still the first browser's

    assert post(client, form_data).status_code == 302
    assert Appeal.objects.get(title=form_data["title"]).photos.count() == 1


def test_the_thumbnail_is_served_only_to_its_own_browser_and_never_cached(client, form_data):
    post(client, {**form_data, "title": "", "photos": [photo(size=(1200, 900))]})
    response = client.get("/appeals/new/kept/1/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    thumb = Image.open(io.BytesIO(response.content))
    assert max(thumb.size) <= 240 and b"SecretCam" not in response.content
    assert client.get("/appeals/new/kept/2/").status_code == 404
    assert client.get("/appeals/new/kept/0/").status_code == 404
    assert Client().get("/appeals/new/kept/1/").status_code == 404


def test_unreadable_photos_are_not_kept_and_the_page_says_so(client, form_data):
    fake = SimpleUploadedFile("photo.jpg", b"not a picture", content_type="image/jpeg")
    html = post(client, {**form_data, "photos": [photo(), fake]}).content.decode()
    assert "photo.jpg" in html
    assert "请重新选择" in html or "choose them again" in html
    assert not PendingPhoto.objects.exists()


@override_settings(APPEAL_KEEP_PHOTOS_LIMIT=2)
def test_keeping_photos_is_limited_per_network_and_then_says_choose_again(client, form_data):
    for _ in range(2):
        post(client, {**form_data, "title": "", "photos": [photo()]})
    html = post(client, {**form_data, "title": "", "photos": [photo()]}).content.decode()
    assert "请重新选择" in html or "choose them again" in html
    assert PendingPhoto.objects.count() == 2
    # what was kept is still filed
    assert post(client, form_data).status_code == 302
    assert Appeal.objects.get().photos.count() == 2


def test_a_kept_photo_always_belongs_to_a_session(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PendingPhoto.objects.create(
            session_key="",
            image="x.jpg",
            thumbnail=b"",
            content_type="image/jpeg",
            width=1,
            height=1,
        )


def test_nothing_is_kept_for_a_bot_that_fills_the_hidden_field(client, form_data):
    post(client, {**form_data, "website": "http://spam.example", "photos": [photo()]})
    assert not PendingPhoto.objects.exists()
