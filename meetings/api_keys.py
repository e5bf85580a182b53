"""Keys for other systems to use the Open311 API: issued by a superuser to a named client
system, scoped to a town or a community, revocable. Only a SHA-256 of a key is stored (a key
is 32 random bytes, so a plain hash is as good as a slow one); the key is shown once."""

import hashlib
import secrets

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from branches.models import Community, Estate, Town

from .models import ApiKey
from .moves import MoveRefused, Refusal

KEY_PREFIX = "o311_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(
    *, client: str, by, town: Town | None = None, community: Community | None = None, contact=""
) -> tuple[ApiKey, str]:
    """A new key for `client`, within a town or one community: the row and the key itself,
    which is not kept and cannot be shown again."""
    if not getattr(by, "is_superuser", False):
        raise MoveRefused(_("Only a superuser issues API keys."), Refusal.NOT_ALLOWED)
    if (town is None) == (community is None):
        raise MoveRefused(_("Choose a town or a community for the key, not both."), Refusal.INVALID)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey.objects.create(
        client=client,
        town=town,
        community=community,
        contact=contact,
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=_hash(key),
        created_by=by,
    )
    return row, key


def revoke_key(*, key: ApiKey, by) -> bool:
    """Revoke a key from now on; False when it was already revoked. Appeals it filed keep
    naming it."""
    if not getattr(by, "is_superuser", False):
        raise MoveRefused(_("Only a superuser revokes API keys."), Refusal.NOT_ALLOWED)
    return bool(
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
    )


def key_named(text: str) -> ApiKey | None:
    """The key this text is, revoked or not (the caller tells the two apart), or None."""
    if not isinstance(text, str) or not text.startswith(KEY_PREFIX) or len(text) > 100:
        return None
    return ApiKey.objects.select_related("town", "community").filter(key_hash=_hash(text)).first()


def estates_of_key(key: ApiKey) -> QuerySet[Estate]:
    """The estates a key may file in and read."""
    if key.community_id:
        return Estate.objects.filter(community_id=key.community_id)
    return Estate.objects.filter(community__town_id=key.town_id)
