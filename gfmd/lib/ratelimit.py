"""A fixed-window limit per client address, counted atomically in the cache.

`cache.add()` starts a window only if none is open and `cache.incr()` counts in one step, both
atomic in Redis (production) and in the local-memory cache of one process (development), so a
burst of simultaneous requests cannot slip past the limit. The address is stored hashed."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'5/hour' -> (5, 3600)."""
    count, _, unit = rate.partition("/")
    if unit not in UNITS or not count.isdigit():
        raise ValueError(f"A rate is a number and a unit, like '5/hour', not {rate!r}.")
    return int(count), UNITS[unit]


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


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
