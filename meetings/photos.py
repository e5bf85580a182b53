"""Residents' photos: accepted only when they really decode as images, re-encoded without
their metadata (location, device) and at most MAX_SIDE pixels on the long side before they
are stored. What would cost too much to decode (too many pixels, a decompression bomb) is
refused from the header first."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Formats a phone camera or screenshot produces; stored as JPEG (photos) or PNG.
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
# Kept at most this long on the long side (a JPEG between half that and that: see
# _jpeg_draft_size): as sharp as a screen shows an appeal's photo, a fraction of the bytes.
MAX_SIDE = 2560
# A decompression bomb: more pixels than a large screen's screenshot (a flat one packs some
# 60 pixels into a byte) in under one byte per 100 pixels. A camera's photo takes a byte for
# every 2 to 5 pixels (12 megapixels in 2.5 to 5 MB), a smooth one at low quality rarely
# more than 30; the bomb of issue 8 packed 40 million pixels into 5 KB, 8,000 to the byte.
BOMB_MIN_PIXELS = 16_000_000
BOMB_PIXELS_PER_BYTE = 100


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def clean_photo(upload) -> CleanPhoto:
    """Decode an uploaded file as an image and re-encode it without metadata, or raise
    ValidationError saying what is wrong with it."""
    name = getattr(upload, "name", "") or _("the file")
    if upload.size > settings.APPEAL_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; each photo may be at most %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.APPEAL_PHOTO_MAX_BYTES),
            }
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:  # reads the header only
            if probe.format not in ACCEPTED:
                raise UnidentifiedImageError
            _refuse_costly(name, upload.size, *probe.size)
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format in ("JPEG", "MPO") and max(image.size) > MAX_SIDE:
                image.draft("RGB", _jpeg_draft_size(image.size))
            image.load()
            ImageOps.exif_transpose(image, in_place=True)  # upright once EXIF is gone
            has_alpha = image.mode in ("RGBA", "LA", "P") and image.format != "JPEG"
            if image.mode != ("RGBA" if has_alpha else "RGB"):  # (convert always copies)
                image = image.convert("RGBA" if has_alpha else "RGB")
            if max(image.size) > MAX_SIDE:  # a big PNG, WebP, …: no draft for those
                image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BICUBIC)
            out = io.BytesIO()
            # Saved without exif=, icc_profile= or pnginfo=, the file carries pixels only:
            # no EXIF, GPS, camera or comments.
            if has_alpha:
                image.save(out, format="PNG", optimize=True)
                kind = ("image/png", "png")
            else:
                image.save(out, format="JPEG", quality=85)
                kind = ("image/jpeg", "jpg")
            width, height = image.size
    except ValidationError:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours, at open
        raise ValidationError(_too_many_pixels(name)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("%(name)s is not a photo we can read. Send a JPEG or PNG picture.") % {"name": name}
        ) from None
    return CleanPhoto(out.getvalue(), kind[0], kind[1], width, height)


def _refuse_costly(name: str, size: int, width: int, height: int) -> None:
    """Refuse, from the header, a picture that would cost too much to decode."""
    pixels = width * height
    if pixels > settings.APPEAL_PHOTO_MAX_PIXELS:
        raise ValidationError(_too_many_pixels(name))
    if pixels > BOMB_MIN_PIXELS and size * BOMB_PIXELS_PER_BYTE < pixels:
        raise ValidationError(
            _(
                "%(name)s is a picture of %(width)d × %(height)d pixels in only %(size)s, "
                "which no camera takes. Send the photo as your camera took it."
            )
            % {"name": name, "width": width, "height": height, "size": filesizeformat(size)}
        )


def _too_many_pixels(name: str) -> str:
    return _(
        "%(name)s has more pixels than a photo may have (at most %(max)d megapixels). Send "
        "a smaller photo."
    ) % {"name": name, "max": settings.APPEAL_PHOTO_MAX_PIXELS // 1_000_000}


def _jpeg_draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """The size to ask Image.draft for, so that a JPEG is decoded straight at 1/2, 1/4 or 1/8
    of its size, the largest of them within MAX_SIDE (a 12-megapixel photo, 4032 × 3024, at
    2016 × 1512): a fraction of the work and memory of decoding it whole and shrinking it."""
    scale = 2
    while scale < 8 and max(size) > MAX_SIDE * scale:
        scale *= 2
    # draft takes the largest scale that leaves at least this size: floor, not round
    return max(1, size[0] // scale), max(1, size[1] // scale)
