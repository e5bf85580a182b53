"""A resident files an appeal from a phone: what they typed is never lost, bad input gets a
message next to the field, and nothing answers with an error page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from meetings.models import Appeal, AppealEvent, AppealPhoto, Status


def photo(name="p.jpg", size=(64, 48), fmt="JPEG", exif=True):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif and fmt == "JPEG":
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # camera make
        data[0x9286] = "GPS 28.2N 113.0E"  # user comment
        kwargs["exif"] = data.tobytes()
    image.save(buffer, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def form_data(world, category):
    return {
        "estate": world.a_estate.pk,
        "building": world.a_building.pk,
        "category": category.pk,
        "title": "楼道灯坏了",
        "description": "3单元楼道灯一周没亮，晚上看不清台阶。",
        "contact_name": "张阿姨",
        "contact_phone": "13912345678",
        "consent": "on",
    }


def post(client, data, **extra):
    return client.post("/appeals/new/", data, **extra)


def test_a_resident_files_an_appeal_and_gets_a_tracking_code(client, form_data):
    response = post(client, {**form_data, "photos": [photo(), photo("q.png", fmt="PNG")]})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert response.url == f"/appeals/submitted/{appeal.display_code}/"
    page = client.get(response.url).content.decode()
    assert appeal.display_code in page
    assert f"/appeals/track/{appeal.display_code}/" in page
    assert appeal.status == Status.RECEIVED and appeal.source == "web_form"
    assert appeal.consent_at is not None
    assert appeal.photos.count() == 2
    assert AppealEvent.objects.get(appeal=appeal).by_resident


def test_stored_photos_carry_no_metadata(client, form_data):
    post(client, {**form_data, "photos": [photo()]})
    stored = AppealPhoto.objects.get()
    data = stored.image.open("rb").read()
    assert b"SecretCam" not in data and b"GPS" not in data
    assert Image.open(io.BytesIO(data)).getexif() == {}


def test_photos_are_not_under_a_public_url(client, form_data, settings):
    post(client, {**form_data, "photos": [photo()]})
    stored = AppealPhoto.objects.get()
    assert (
        settings.MEDIA_URL is None or client.get(f"/media/{stored.image.name}").status_code == 404
    )


def test_the_poster_link_preselects_estate_and_building(client, world):
    html = client.get(f"/appeals/new/?building={world.a_building.pk}").content.decode()
    assert f'<option value="{world.a_estate.pk}" selected>' in html
    assert f'value="{world.a_building.pk}" selected data-estate="{world.a_estate.pk}"' in html
    # junk in the query string is ignored, not an error
    assert client.get("/appeals/new/?estate=abc&building=99999").status_code == 200


def assert_kept(html, data, but=()):
    for field in ("title", "description", "contact_name", "contact_phone"):
        if field not in but:
            assert data[field] in html, field


BAD = [
    ("empty title", {"title": ""}, "title"),
    ("too long title", {"title": "长" * 101}, "title"),
    ("too long description", {"description": "长" * 2001}, "description"),
    ("wrong phone", {"contact_phone": "12345678901"}, "contact_phone"),
    ("short phone", {"contact_phone": "1391234"}, "contact_phone"),
    ("missing consent", {"consent": ""}, "consent"),
    ("no estate", {"estate": ""}, "estate"),
    ("estate that does not exist", {"estate": "999999"}, "estate"),
    ("estate not a number", {"estate": "abc"}, "estate"),
    ("building of another estate", {"building": "__a2__"}, "building"),
    ("no category", {"category": ""}, "category"),
    ("honeypot filled", {"website": "http://spam.example"}, "website"),
]


@pytest.mark.parametrize("case, change, field", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_a_message_and_keeps_the_typing(
    client, world, form_data, case, change, field
):
    change = {k: (world.a2_building.pk if v == "__a2__" else v) for k, v in change.items()}
    data = {**form_data, **change}
    if data.get("consent") == "":
        del data["consent"]
    response = post(client, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert not Appeal.objects.exists()
    assert "alert-danger" in html
    assert_kept(html, data, but=change)
    assert "is-invalid" in html or "alert-warning" in html


def test_a_text_file_named_jpg_is_refused_and_the_form_says_photos_must_be_chosen_again(
    client, form_data
):
    fake = SimpleUploadedFile("photo.jpg", b"this is not a picture", content_type="image/jpeg")
    response = post(client, {**form_data, "photos": [fake]})
    html = response.content.decode()
    assert response.status_code == 200
    assert not Appeal.objects.exists()
    assert "photo.jpg" in html
    assert_kept(html, form_data)
    assert "请重新选择" in html or "choose them again" in html


def test_a_6mb_photo_is_refused_with_its_size(client, form_data):
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8" + b"0" * (6 * 1024 * 1024), content_type="image/jpeg"
    )
    response = post(client, {**form_data, "photos": [big]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "big.jpg" in html and "5.0" in html
    assert not Appeal.objects.exists()


def test_more_than_three_photos_is_refused(client, form_data):
    response = post(client, {**form_data, "photos": [photo(f"{i}.jpg") for i in range(4)]})
    assert response.status_code == 200
    assert not Appeal.objects.exists()


@override_settings(APPEAL_MAX_REQUEST_BYTES=1000)
def test_an_oversized_request_gets_a_413_page_with_advice(client, form_data):
    response = post(client, {**form_data, "photos": [photo(size=(400, 400))]})
    assert response.status_code == 413
    assert "5 MB" in response.content.decode()
    assert not Appeal.objects.exists()


def test_too_many_fields_gets_a_400_page_not_an_error(client, form_data):
    data = {**form_data, **{f"x{i}": "1" for i in range(1100)}}
    response = post(client, data)
    assert response.status_code == 400
    assert "<html" in response.content.decode()


def test_get_and_post_only(client, db):
    assert client.put("/appeals/new/").status_code == 405


def test_an_appeal_from_the_same_phone_estate_and_category_is_flagged_as_a_repeat(
    client, form_data
):
    post(client, form_data)
    post(client, {**form_data, "title": "楼道灯又坏了"})
    first, second = Appeal.objects.order_by("pk")
    assert second.repeat_of == first
    assert first.repeat_of is None


def test_the_form_runs_the_same_queries_however_many_buildings(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from branches.models import Building

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/appeals/new/").status_code == 200
        return len(queries)

    count()
    few = count()
    Building.objects.bulk_create(
        Building(estate=world.a_estate2, name=f"{i}号楼") for i in range(40)
    )
    assert count() == few <= 6


def test_missing_consent_says_what_consent_is_for_and_the_other_way(client, form_data):
    del form_data["consent"]
    html = post(client, form_data).content.decode()
    assert not Appeal.objects.exists()
    assert "这是必填项" not in html and "This field is required" not in html
    assert "同意" in html and "致电社区" in html
