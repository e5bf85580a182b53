"""Photos are served only to staff in the appeal's scope."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from meetings.photos import clean_photo


def a_photo():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(buffer, format="JPEG")
    return clean_photo(SimpleUploadedFile("p.jpg", buffer.getvalue()))


def photo_url(appeal):
    return reverse("admin:meetings_appeal_photo", args=[appeal.pk, appeal.photos.get().pk])


def test_staff_in_scope_see_the_photo(client, world, new_appeal):
    appeal = new_appeal(photos=[a_photo()])
    client.force_login(world.staff_a)
    response = client.get(photo_url(appeal))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_anonymous_users_are_sent_to_log_in(client, world, new_appeal):
    appeal = new_appeal(photos=[a_photo()])
    response = client.get(photo_url(appeal))
    assert response.status_code == 302
    assert "/login/" in response.url


def test_another_communitys_staff_get_not_found(client, world, new_appeal):
    appeal = new_appeal(photos=[a_photo()])
    client.force_login(world.staff_b)
    assert client.get(photo_url(appeal)).status_code == 404


def test_a_photo_whose_file_is_gone_is_not_found(client, world, new_appeal):
    """The row outlived its file (media restored from an older backup, a disk moved): the
    staff page says not found, it is no error page."""
    appeal = new_appeal(photos=[a_photo()])
    image = appeal.photos.get().image
    image.storage.delete(image.name)
    client.force_login(world.staff_a)
    assert client.get(photo_url(appeal)).status_code == 404
