"""A fixed-window limit per client address, counted atomically in the cache.

`cache.add()` starts a window only if none is open and `cache.incr()` counts in one step, both
atomic in Redis (production) and in the local-memory cache of one process (development), so a
burst of simultaneous requests cannot slip past the limit. The address is stored hashed.

Behind a reverse proxy every request comes from the proxy's address. Where the connection comes
from one of `GFMD_TRUSTED_PROXIES` (the documented nginx, docs/deploy/nginx.conf, which sets
`X-Real-IP` to the address it sees, replacing whatever a client sent), the client's address is
read from that header; from anywhere else the header is ignored, since any client can send it."""

from __future__ import annotations

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/hour' -> (5, 3600)."""
    count, _, unit = rate.partition("/")
    if unit not in UNITS or not count.isdigit():
        raise ValueError(f"A rate is a number and a unit, like '5/hour', not {rate!r}.")
    return int(count), UNITS[unit]


def _address(value: str) -> str:
    """`value` if it is an IP address, else ''."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def client_address(request) -> str:
    """The client's address: the connection's, or the proxy's `X-Real-IP` (then the last entry
    of `X-Forwarded-For`, the one the proxy added) when the connection is a trusted proxy's."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = {_address(proxy) for proxy in settings.GFMD_TRUSTED_PROXIES}
    if remote and _address(remote) in trusted:
        forwarded = (
            request.META.get("HTTP_X_REAL_IP", "")
            or (request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1])
        )
        if _address(forwarded):
            return _address(forwarded)
    return remote or "unknown"


def allow(scope: str, request, rate: str) -> bool:
    """Count this request against `scope` for its address; False once over the limit."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{window}:{digest}"
    cache.add(key, 0, timeout=period + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr: start it again
        cache.add(key, 1, timeout=period + 60)
        count = 1
    return count <= limit
