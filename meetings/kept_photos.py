"""Photos kept for a resident's retry. When the appeal form comes back with an error, the
photos it carried (already decoded and re-encoded without metadata by meetings.photos) wait
here, keyed to the browser's session, so the resident does not choose them again; they are
filed with the appeal, removed by the resident, or deleted a day later by the nightly job.

Callers name kept photos by the session key and the ids that session listed; a photo of
another session is never returned, whatever ids are asked for."""

import io
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from .models import PendingPhoto
from .photos import CleanPhoto

logger = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=1)
THUMBNAIL_SIZE = (240, 240)


def _thumbnail(photo: CleanPhoto) -> bytes:
    with Image.open(io.BytesIO(photo.data)) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=75)
    return out.getvalue()


def kept_photos_store(
    *, session_key: str, photos: Iterable[CleanPhoto], now: datetime | None = None
) -> list[PendingPhoto]:
    """Keep cleaned photos for this session's retry; returns them in order."""
    now = now or timezone.now()
    return [
        PendingPhoto.objects.create(
            session_key=session_key,
            image=ContentFile(photo.data, name=f"{uuid.uuid4().hex}.{photo.extension}"),
            thumbnail=_thumbnail(photo),
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            created_at=now,
        )
        for photo in photos
    ]


def kept_photos_of(*, session_key: str | None, ids: Iterable[int]) -> list[PendingPhoto]:
    """This session's kept photos among `ids`, in the order of `ids`; those of another
    session, or gone, are left out."""
    ids = list(ids)
    if not session_key or not ids:
        return []
    found = {
        p.pk: p
        for p in PendingPhoto.objects.filter(session_key=session_key, pk__in=ids).defer("thumbnail")
    }
    return [found[pk] for pk in ids if pk in found]


def kept_photos_as_clean(photos: Iterable[PendingPhoto]) -> list[CleanPhoto]:
    """The kept photos as the service files them. A file that went missing is left out
    (logged): the appeal matters more than one photo."""
    clean = []
    for photo in photos:
        try:
            with photo.image.open("rb") as stored:
                data = stored.read()
        except OSError:
            logger.warning("kept photo %s: file %s is missing", photo.pk, photo.image.name)
            continue
        extension = photo.image.name.rsplit(".", 1)[-1]
        clean.append(CleanPhoto(data, photo.content_type, extension, photo.width, photo.height))
    return clean


def _delete(rows) -> int:
    """Delete the rows now and their files once the deletion is committed."""
    rows = list(rows)
    files = [(row.image.storage, row.image.name) for row in rows]

    def delete_files():
        for storage, name in files:
            storage.delete(name)

    deleted, _ = PendingPhoto.objects.filter(pk__in=[row.pk for row in rows]).delete()
    transaction.on_commit(delete_files, robust=True)
    return deleted


def kept_photos_discard(*, photos: Iterable[PendingPhoto]) -> int:
    """Forget kept photos (filed with the appeal, or removed by the resident)."""
    return _delete(photos)


def kept_photos_delete_stale(*, now: datetime | None = None) -> int:
    """Delete photos kept longer than a day (files included): their resident gave up.
    Returns how many went."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    with transaction.atomic():
        return _delete(PendingPhoto.objects.filter(created_at__lt=cutoff).only("pk", "image"))
