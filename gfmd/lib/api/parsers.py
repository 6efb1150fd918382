"""The JSON body parser: bounded in size and depth, with a 400 or 413 that says what is wrong."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser

from gfmd.lib.api.errors import RequestTooLarge


def body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


class JSONParser(BaseJSONParser):
    """DRF reads the body from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check: the
    same limit is applied here, and a body nested too deep for Python's parser is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = body_limit()
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = RequestTooLarge(
            f"The request body is too large: at most {limit} bytes are accepted."
        )
        if length and str(length).isdigit() and int(length) > limit:
            raise too_large
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise too_large
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(raw.decode(encoding), parse_constant=self._no_constants)
        except RecursionError:
            raise ParseError("JSON parse error: the body is nested too deeply.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None

    @staticmethod
    def _no_constants(name):
        raise ValueError(f"{name} is not valid JSON")
