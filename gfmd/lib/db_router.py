"""Read replicas: reads go to a replica listed in DATABASE_REPLICA_URLS, writes to the primary,
and once a request has written, its later reads stay on the primary so it sees its own write.

A curator's write (a POST, PUT, PATCH or DELETE) also pins the next few seconds of that browser's
requests to the primary (a `gfmd_pin` cookie, GFMD_PIN_SECONDS): the page they are sent to after
saving shows what they saved, however far the replica is behind.

A replica is used only while it answers and is less than GFMD_REPLICA_MAX_LAG seconds behind the
primary: the first read of a request asks it (one short query, on the connection the request then
uses); one that is down or behind is left out, and with none left reads go to the primary. So an
outage or a long lag costs the primary more work, never an error.
"""

from __future__ import annotations

import logging
import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connections

log = logging.getLogger(__name__)

_pinned: ContextVar[bool] = ContextVar("gfmd_db_pinned_to_primary", default=False)
# One replica per request, so that all of a request's reads (the data version included) see the
# same state of the data; replicas may lag by different amounts.
_replica: ContextVar[str | None] = ContextVar("gfmd_db_replica", default=None)

PIN_COOKIE = "gfmd_pin"

# How far behind the primary a replica is, in seconds: 0 when it has replayed all it received,
# else the age of the last transaction it replayed (NULL, unknown, when it has replayed none).
LAG_SQL = (
    "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NULL "
    "OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def replica_lag(alias: str) -> float | None:
    """The replica's lag in seconds, or None when it cannot be asked (down, or a lag unknown)."""
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            lag = cursor.fetchone()[0]
    except DatabaseError as exc:
        log.warning("Replica %s is not answering (%s): reading from the primary.", alias, exc)
        try:
            connection.close()
        except DatabaseError:
            pass
        return None
    return None if lag is None else float(lag)


def usable(alias: str) -> bool:
    lag = replica_lag(alias)
    if lag is None:
        return False
    if lag > settings.GFMD_REPLICA_MAX_LAG:
        log.warning("Replica %s is %.1f s behind: reading from the primary.", alias, lag)
        return False
    return True


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        replicas = replica_aliases()
        if not replicas or _pinned.get():
            return "default"
        chosen = _replica.get()
        if chosen is None:
            candidates = replicas[:]
            random.shuffle(candidates)
            chosen = next((alias for alias in candidates if usable(alias)), "default")
            _replica.set(chosen)
        return chosen

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same data as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _pin_cookie_valid(value: str | None) -> bool:
    try:
        return value is not None and float(value) > time.time()
    except ValueError:
        return False


class PinAfterWriteMiddleware:
    """Starts each request unpinned and with no replica chosen yet; an unsafe method, or a pin
    cookie left by a recent write, pins it to the primary from the start."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        pinned = unsafe or _pin_cookie_valid(request.COOKIES.get(PIN_COOKIE))
        token = _pinned.set(pinned)
        replica = _replica.set(None)
        try:
            response = self.get_response(request)
        finally:
            _replica.reset(replica)
            _pinned.reset(token)
        if unsafe and replica_aliases() and response.status_code < 400:
            seconds = settings.GFMD_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.0f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
