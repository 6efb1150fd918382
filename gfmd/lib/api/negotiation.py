"""Content negotiation that names the formats when asked for one it does not know."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """An unknown `format` is a 400 that says which formats there are (DRF answers a 404 "Not
    found."); every value of a repeated `format` must be known, not only the last."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if not format_suffix:
            known = [renderer.format for renderer in renderers]
            for value in request.query_params.getlist(self.settings.URL_FORMAT_OVERRIDE):
                if value and value not in known:
                    raise ValidationError(
                        {
                            "format": [
                                f"Unknown format {value[:40]!r}; use one of {', '.join(known)}."
                            ]
                        }
                    )
        return super().select_renderer(request, renderers, format_suffix)
