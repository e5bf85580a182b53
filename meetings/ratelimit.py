"""Per-IP limits for the public pages, kept in the cache. When the cache cannot be reached
the limit fails open: a resident is never turned away because Redis is down.

A use is claimed before the work, by an increment that returns the new count (Redis INCR;
LocMemCache increments under its lock), so requests arriving together cannot all read "4 of
5" and all go ahead; a claim that turns out not to be used (the form had errors) is given
back."""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    if settings.USE_X_FORWARDED_FOR:
        # The entry our own proxy appended, not the ones the client may have sent along.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(bucket: str, request) -> str:
    return f"ratelimit:{bucket}:{client_ip(request)}"


def _increment(key: str, window_seconds: int) -> int:
    """Add one use to the window's counter and return the new count; the first use of a
    window creates the counter with the window as its lifetime."""
    for _ in range(2):
        if cache.add(key, 1, timeout=window_seconds):
            return 1
        try:
            count = cache.incr(key)
        except ValueError:  # the window ended between add and incr: start the next one
            continue
        if count == 1:
            # The counter vanished between the backend's existence check and its INCR,
            # which then made one without a lifetime: give it one, or it never ends.
            cache.touch(key, timeout=window_seconds)
        return count
    return cache.incr(key)


def claim(bucket: str, request, *, limit: int, window_seconds: int) -> bool:
    """Claim one use before doing the work: True when it is within `limit` uses per window
    (or the cache is down), False when the limit is reached (nothing is claimed then)."""
    try:
        count = _increment(_key(bucket, request), window_seconds)
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("rate limit %s: cache unreachable, not limiting", bucket, exc_info=True)
        return True
    if count <= limit:
        return True
    give_back(bucket, request)  # refused: the count stays the number of uses that went ahead
    return False


def give_back(bucket: str, request) -> None:
    """Return a claimed use that was not used (the form came back with errors)."""
    try:
        cache.decr(_key(bucket, request))
    except ValueError:
        pass  # the window ended meanwhile: nothing left to give back
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("rate limit %s: cache unreachable", bucket, exc_info=True)
