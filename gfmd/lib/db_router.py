"""Read replicas: reads go to a replica listed in DATABASE_REPLICA_URLS, writes to the primary,
and once a request has written, its later reads stay on the primary so it sees its own write."""

from __future__ import annotations

import random
from contextvars import ContextVar

from django.conf import settings

_pinned: ContextVar[bool] = ContextVar("gfmd_db_pinned_to_primary", default=False)
# One replica per request, so that all of a request's reads (the data version included) see the
# same state of the data; replicas may lag by different amounts.
_replica: ContextVar[str | None] = ContextVar("gfmd_db_replica", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        replicas = replica_aliases()
        if not replicas or _pinned.get():
            return "default"
        chosen = _replica.get()
        if chosen not in replicas:
            chosen = random.choice(replicas)
            _replica.set(chosen)
        return chosen

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same data as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PinAfterWriteMiddleware:
    """Starts each request unpinned and with no replica chosen yet; an unsafe method pins it to
    the primary from the start."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _pinned.set(request.method not in ("GET", "HEAD", "OPTIONS"))
        replica = _replica.set(None)
        try:
            return self.get_response(request)
        finally:
            _replica.reset(replica)
            _pinned.reset(token)
