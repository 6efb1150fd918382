"""The OpenAPI schema, generated once per process (under a lock: drf-spectacular's generator is
not safe to run in two threads at once) and served from memory afterwards."""

from __future__ import annotations

import threading

from django.http import JsonResponse
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.response import Response

_lock = threading.Lock()
_schemas: dict[tuple, dict] = {}


def forget() -> None:
    """Drop the generated schemas (tests)."""
    with _lock:
        _schemas.clear()


class SchemaView(SpectacularAPIView):
    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, translation.get_language())
        with _lock:
            if key not in _schemas:
                _schemas[key] = super()._get_schema_response(request).data
        filename = self._get_filename(request, version)
        return Response(
            data=_schemas[key], headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )


class DocsView(SpectacularSwaggerSplitView):
    """The Swagger UI page. OPTIONS says what it allows, in JSON (DRF's own answer would go
    through the page's HTML template renderer, which cannot render it)."""

    def options(self, request, *args, **kwargs):
        response = JsonResponse(
            {"detail": "The API documentation page (HTML). Allowed: GET, HEAD, OPTIONS."}
        )
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response
