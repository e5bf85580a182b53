"""What a photo may cost the server: a decompression bomb (a huge picture packed into a few
kilobytes) is refused from its header, before it is decoded, with a message to the
resident; a photo of more pixels than APPEAL_PHOTO_MAX_PIXELS is refused the same way; a
big photo is kept at most 2,560 pixels on its long side, upright; ordinary photos and
screenshots are kept as they are. scripts/bench_photos.py prints what each costs."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image, ImageDraw

from meetings.models import Appeal, AppealPhoto, PendingPhoto


def upload(name, image, fmt, **save):
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")


def camera_like(size):
    """Noise: compresses like a photo of a real scene (a flat colour compresses far more)."""
    return Image.effect_noise(size, 20).convert("RGB")


def png_header_only(width, height):
    """A PNG that says it is width x height and holds no pixels: decoding it fails, so only
    a check of the header can say what is wrong with it."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def refused(client, form_data, photo):
    response = client.post("/appeals/new/", {**form_data, "photos": [photo]})
    assert response.status_code == 200
    assert not Appeal.objects.exists()
    assert not PendingPhoto.objects.exists()  # nothing kept for a retry either
    return response.content.decode()


def test_a_decompression_bomb_is_refused_with_a_message(client, form_data):
    # The sample: 6300 x 6300 pixels (39.7 million) in about ten kilobytes.
    bomb = upload("bomb.png", Image.new("1", (6300, 6300), 1), "PNG", optimize=True)
    assert bomb.size < 20_000
    html = refused(client, form_data, bomb)
    assert "bomb.png" in html and "6300 × 6300" in html and "原图" in html


@pytest.mark.parametrize("size", [(9000, 8000), (60_000, 60_000)])
def test_the_pixel_limit_is_read_from_the_header_before_decoding(client, form_data, size):
    header = SimpleUploadedFile("huge.png", png_header_only(*size), "image/png")
    html = refused(client, form_data, header)
    assert "huge.png" in html and "最多 50 百万像素" in html


@override_settings(APPEAL_PHOTO_MAX_PIXELS=2_000_000)
def test_a_photo_over_the_pixel_limit_is_refused(client, form_data):
    html = refused(client, form_data, upload("big.jpg", camera_like((2000, 1500)), "JPEG"))
    assert "big.jpg" in html and "最多 2 百万像素" in html


def stored_sizes():
    sizes = []
    for stored in AppealPhoto.objects.order_by("pk"):
        with Image.open(stored.image.open("rb")) as image:
            assert image.size == (stored.width, stored.height)
            assert image.getexif() == {}
            sizes.append(image.size)
    return sizes


def test_big_photos_are_kept_at_most_2560_pixels_on_their_long_side_upright(client, form_data):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; shown rotated by 90°
    camera = upload("tall.jpg", camera_like((3600, 2700)), "JPEG", quality=80, exif=exif.tobytes())
    screen = upload("4k.png", Image.linear_gradient("L").resize((3840, 2160)), "PNG")
    response = client.post("/appeals/new/", {**form_data, "photos": [camera, screen]})
    assert response.status_code == 302
    (width, height), screenshot = stored_sizes()
    # a JPEG is decoded straight at 1/2, 1/4 or 1/8 of its size, so between 1,280 and 2,560
    assert 1280 <= height <= 2560 and width == height * 3 // 4  # upright: portrait
    assert screenshot == (2560, 1440)


def test_ordinary_photos_and_screenshots_are_kept_as_they_are(client, form_data):
    screenshot = Image.new("RGB", (1170, 2532), (246, 246, 246))
    draw = ImageDraw.Draw(screenshot)
    for y in range(100, 2400, 120):
        draw.rectangle([40, y, 1130, y + 80], fill=(255, 255, 255), outline=(220, 220, 220))
    shot = upload("screen.png", screenshot, "PNG", optimize=True)
    assert shot.size < 100_000  # flat, so it packs tightly: not a bomb for all that
    photo = upload("p.jpg", camera_like((1600, 1200)), "JPEG")
    response = client.post("/appeals/new/", {**form_data, "photos": [shot, photo]})
    assert response.status_code == 302
    sizes = sorted((p.width, p.height) for p in AppealPhoto.objects.all())
    assert sizes == [(1170, 2532), (1600, 1200)]
