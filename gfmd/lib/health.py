"""Liveness and readiness, and a clear 503 while the database is unreachable."""

from __future__ import annotations

import logging

import psycopg
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# In English for the API; pages show it in the visitor's language.
UNAVAILABLE = gettext_noop("The database is unavailable; please try again in a few seconds.")


@never_cache
def healthz(request):
    """The process is up and answering (no database involved)."""
    return HttpResponse("ok\n", content_type="text/plain")


def caches_down() -> list[str]:
    """The cache aliases whose server does not answer now (backends that can tell, such as
    gfmd.lib.resilient_cache; the others are in-process and always there)."""
    down = []
    for alias in settings.CACHES:
        backend = caches[alias]
        if hasattr(backend, "available") and not backend.available():
            down.append(alias)
    return down


@never_cache
def readyz(request):
    """The process can reach its database (else 503: it cannot serve). A cache that is away is
    reported, with 200: the site serves without it, uncached and slower."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    down = caches_down()
    if down:
        body = f"ok, degraded: cache unreachable ({', '.join(down)}), serving uncached\n"
        response = HttpResponse(body, content_type="text/plain")
        response["X-Cache-Status"] = "down"
        return response
    return HttpResponse("ok\n", content_type="text/plain")


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection into a 503 with a short explanation (JSON for the API,
    a page for everyone else) and drops the broken connection so the next request reconnects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Server-side cursors (iterator()) can raise psycopg's own errors, not Django's wrappers.
        lost = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
        if not isinstance(exception, lost):
            return None
        logger.warning("Database unavailable: %s", exception)
        try:
            connection.close()
        except DatabaseError:
            pass
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            body = render_to_string("503.html", {"message": gettext(UNAVAILABLE)})
            response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
