"""Per-IP limits for the public pages, kept in the cache. When the cache cannot be reached
the limit fails open: a resident is never turned away because Redis is down.

A use is claimed before the work, by an increment that returns the new count (Redis INCR;
LocMemCache increments under its lock), so requests arriving together cannot all read "4 of
5" and all go ahead; a claim that turns out not to be used (the form had errors) is given
back.

The address is the client's as our own proxies (TRUSTED_PROXIES) saw it; the log-in
lockouts count the same address."""

import functools
import ipaddress
import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def _address(text: str):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def is_trusted_proxy(text: str) -> bool:
    """Whether this address is one of TRUSTED_PROXIES (addresses or networks)."""
    address = _address(text)
    if address is None:
        return False
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The client's address, or None when there is none.

    REMOTE_ADDR, unless it is one of our proxies: then the right-most X-Forwarded-For entry
    that is not. Each proxy appends the address it got the request from, so the entries left
    of that one are whatever the client sent and may be made up. (From anyone else the header
    never gets here: governance.middleware.TrustedProxyMiddleware drops it.)"""
    client = _address(request.META.get("REMOTE_ADDR", ""))
    if client is None or not is_trusted_proxy(str(client)):
        return str(client) if client else None
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # not an address: keep the last proxy of ours that handed it on
        client = address
        if not is_trusted_proxy(str(address)):
            break
    return str(client)


def _key(bucket: str, request) -> str:
    return f"ratelimit:{bucket}:{client_ip(request) or 'unknown'}"


def _increment(key: str, window_seconds: int, by: int = 1) -> int:
    """Add `by` uses to the window's counter and return the new count; the first use of a
    window creates the counter with the window as its lifetime. One round trip to the cache
    whatever `by` is (a look-up of several codes at once)."""
    for _ in range(2):
        if cache.add(key, by, timeout=window_seconds):
            return by
        try:
            count = cache.incr(key, by)
        except ValueError:  # the window ended between add and incr: start the next one
            continue
        if count == by:
            # The counter vanished between the backend's existence check and its INCR,
            # which then made one without a lifetime: give it one, or it never ends.
            cache.touch(key, timeout=window_seconds)
        return count
    return cache.incr(key, by)


def claim(
    bucket: str, request, *, limit: int, window_seconds: int, who: str = "", uses: int = 1
) -> bool:
    """Claim `uses` uses (all or none) before doing the work: True when they are within
    `limit` per window (or the cache is down), False when they would pass it (nothing is
    claimed then). The uses are counted per client address, or per `who` when given (an
    API key)."""
    key = _counter(bucket, request, who)
    try:
        count = _increment(key, window_seconds, uses)
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("rate limit %s: cache unreachable, not limiting", bucket, exc_info=True)
        return True
    if count <= limit:
        return True
    _decrement(key, bucket, uses)  # refused: the count stays the number of uses that went ahead
    return False


def give_back(bucket: str, request, *, who: str = "", uses: int = 1) -> None:
    """Return claimed uses that were not used (the form came back with errors, a filing
    was refused)."""
    _decrement(_counter(bucket, request, who), bucket, uses)


def _counter(bucket: str, request, who: str) -> str:
    return f"ratelimit:{bucket}:{who}" if who else _key(bucket, request)


def _decrement(key: str, bucket: str, by: int = 1) -> None:
    try:
        cache.decr(key, by)
    except ValueError:
        pass  # the window ended meanwhile: nothing left to give back
    except Exception:  # noqa: BLE001 - any cache failure: fail open
        logger.warning("rate limit %s: cache unreachable", bucket, exc_info=True)
