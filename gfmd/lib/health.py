"""Liveness and readiness, and a clear 503 while the database is unreachable."""

from __future__ import annotations

import logging

import psycopg
from django.db import DatabaseError, connection
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

UNAVAILABLE = "The database is unavailable; please try again in a few seconds."


@never_cache
def healthz(request):
    """The process is up and answering (no database involved)."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def readyz(request):
    """The process can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
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
            body = render_to_string("503.html", {"message": UNAVAILABLE})
            response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
