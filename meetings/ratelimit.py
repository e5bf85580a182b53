"""Per-IP limits for the public pages, kept in the cache. When the cache cannot be reached
the limit fails open: a resident is never turned away because Redis is down.

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
