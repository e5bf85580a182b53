"""Per-IP limits for the public pages, kept in the cache. When the cache cannot be reached
the limit fails open: a resident is never turned away because Redis is down."""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address, or None when there is none (the log-in lockouts use it too)."""
    if settings.USE_X_FORWARDED_FOR:
        # The entry our own proxy appended, not the ones the client may have sent along.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or None


def _key(bucket: str, request) -> str:
    return f"ratelimit:{bucket}:{client_ip(request) or 'unknown'}"


def used(bucket: str, request) -> int:
    try:
        return int(cache.get(_key(bucket, request), 0))
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("rate limit %s: cache unreachable, not limiting", bucket, exc_info=True)
        return 0


def count(bucket: str, request, window_seconds: int) -> int:
    """Count one use; returns the uses in the current window (0 when the cache is down)."""
    key = _key(bucket, request)
    try:
        cache.add(key, 0, timeout=window_seconds)
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("rate limit %s: cache unreachable, not limiting", bucket, exc_info=True)
        return 0
