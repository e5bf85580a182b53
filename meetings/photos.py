"""Residents' photos: accepted only when they really decode as images, re-encoded without
their metadata (location, device) before they are stored."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Formats a phone camera or screenshot produces; stored as JPEG (photos) or PNG.
ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"}
MAX_PIXELS = 40_000_000  # a decompression bomb is refused, not decoded


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
        with Image.open(upload) as probe:
            if probe.format not in ACCEPTED:
                raise UnidentifiedImageError
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(_("%(name)s has too many pixels.") % {"name": name})
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
            has_alpha = image.mode in ("RGBA", "LA", "P") and image.format != "JPEG"
            out = io.BytesIO()
            # Saved without exif=, icc_profile= or pnginfo=, the file carries pixels only:
            # no EXIF, GPS, camera or comments.
            if has_alpha:
                image.convert("RGBA").save(out, format="PNG", optimize=True)
                kind = ("image/png", "png")
            else:
                image.convert("RGB").save(out, format="JPEG", quality=85)
                kind = ("image/jpeg", "jpg")
            width, height = image.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("%(name)s is not a photo we can read. Send a JPEG or PNG picture.") % {"name": name}
        ) from None
    return CleanPhoto(out.getvalue(), kind[0], kind[1], width, height)
