"""A Redis cache that the site survives: when Redis is unreachable, slow or refuses a write (full
under `noeviction`), a read is a miss and a write is dropped, so every page is served, uncached.

After a failure the backend leaves Redis alone for `RETRY_AFTER` seconds (so that an outage
costs one short timeout now and then, not one per cache call) and `available()` says so, for
`/readyz`. Timeouts are short: a cache that answers late is worth less than no cache.
"""

from __future__ import annotations

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
SOCKET_TIMEOUT = 0.25


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", SOCKET_TIMEOUT)
        options.setdefault("socket_timeout", SOCKET_TIMEOUT)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0
        self._last_error = ""

    def available(self) -> bool:
        """Whether Redis answers a PING now (a fresh check, not the remembered state)."""
        try:
            self._cache.get_client(write=True).ping()
        except _redis_errors() as exc:
            self._failed(exc)
            return False
        self._down_until = 0.0
        return True

    @property
    def last_error(self) -> str:
        return self._last_error

    def _failed(self, exc: BaseException) -> None:
        if time.monotonic() >= self._down_until:
            logger.warning("Cache unavailable, serving uncached: %s", exc)
        self._down_until = time.monotonic() + RETRY_AFTER
        self._last_error = str(exc) or type(exc).__name__


def _guarded(name: str, default):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default(*args, **kwargs) if callable(default) else default
        try:
            return method(self, *args, **kwargs)
        except _redis_errors() as exc:
            self._failed(exc)
            return default(*args, **kwargs) if callable(default) else default

    return guarded


def _get_default(key, default=None, version=None):
    return default


def _incr_default(key, delta=1, version=None):
    # What a missing key does in every Django cache; callers fall back to set().
    raise ValueError(f"Key '{key}' not found (the cache is unavailable)")


for _name, _default in {
    "get": _get_default,
    "add": False,
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": lambda keys, version=None: {},
    "set_many": lambda data, timeout=None, version=None: list(data),
    "delete_many": None,
    "has_key": False,
    "incr": _incr_default,
    "clear": None,
}.items():
    setattr(ResilientRedisCache, _name, _guarded(_name, _default))
