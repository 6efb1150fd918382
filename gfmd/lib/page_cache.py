"""Whole responses for anonymous visitors, cached under the data version.

Pages and API answers are a function of the URL, the request headers they vary on and the data.
For a visitor who is not signed in (no cookie, no credentials), a response already made for the
same URL and the same data version is served again without running the view: one query (the
version) instead of the page's queries, templates and serialisers. An edit anywhere raises the
version, so no response outlives the data it was made from.

Only complete, successful, cookie-free GET/HEAD responses are kept, keyed as Django's own cache
middleware keys them (the URL, and the value of every header the response varies on, such as
`Accept`), with the data version in the key prefix. Responses of signed-in users, the admin and
anything that sets a cookie are never stored or served from here. `GFMD_PAGE_CACHE=0` turns it off.
"""

from __future__ import annotations

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.cache import get_cache_key, get_conditional_response, learn_cache_key

from gfmd.lib import data_version

SKIPPED_PREFIXES = ("/admin/", "/healthz", "/readyz", "/static/")
TIMEOUT = 86400
HIT_HEADER = "X-Page-Cache"


def cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.path.startswith(SKIPPED_PREFIXES)
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.GFMD_PAGE_CACHE or not cacheable_request(request):
            return self.get_response(request)
        try:
            version = data_version.request_version(request)
        except (DatabaseError, psycopg.Error):
            # The database is away: the view's own error handling answers (a 503).
            return self.get_response(request)
        if version is None:
            return self.get_response(request)
        prefix = f"page:{version}:{int(settings.GFMD_SERVE_SYNTHETIC)}"
        key = get_cache_key(request, prefix, "GET", cache=cache)
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                cached[HIT_HEADER] = "hit"
                # If-None-Match against the stored ETag: 304, with nothing sent again.
                return get_conditional_response(request, etag=cached.get("ETag"), response=cached)
        response = self.get_response(request)
        if self.storable(response):
            key = learn_cache_key(request, response, TIMEOUT, prefix, cache=cache)
            # Stored without the marker: each answer says itself whether it was a hit.
            cache.set(key, response, TIMEOUT)
            response[HIT_HEADER] = "miss"
        return response

    @staticmethod
    def storable(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )
