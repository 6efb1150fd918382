"""Every API error is JSON with a message: the DRF exception handler (REST_FRAMEWORK
EXCEPTION_HANDLER) and the errors a write can meet in the database.

A write runs in one transaction (gfmd.lib.api.viewsets.CuratedViewSet), so when the database
refuses part of it nothing of it is kept, and the answer says so. A lost connection is left to
gfmd.lib.health.DatabaseUnavailableMiddleware (503 with Retry-After)."""

from __future__ import annotations

import logging

import psycopg
from django.db import DatabaseError, DataError, IntegrityError
from django.db.utils import InterfaceError, OperationalError
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

NOTHING_SAVED = "Nothing of this request was saved."


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


def exception_handler(exc, context):
    lost = (OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)
    if isinstance(exc, DatabaseError) and not isinstance(exc, lost):
        logger.warning("Write refused by the database: %s", exc)
        if isinstance(exc, IntegrityError):
            code, detail = 409, "The write conflicts with the stored data (another change?)."
        elif isinstance(exc, DataError):
            code, detail = 400, "The database refused a value of this request."
        else:
            code, detail = 503, "The database could not complete the write; try again."
        return Response({"detail": f"{detail} {NOTHING_SAVED}"}, status=code)
    return drf_exception_handler(exc, context)
