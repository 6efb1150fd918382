"""Whole responses for anonymous visitors, cached under the data version.

Pages and API answers are a function of the URL, the request headers they vary on and the data.
For a visitor who is not signed in (no cookie, no credentials), a response already made for the
same URL and the same data version is served again without running the view: one query (the
version) instead of the page's queries, templates and serialisers. An edit anywhere raises the
version, so no response outlives the data it was made from.

Only complete, successful, cookie-free GET/HEAD responses are kept, keyed as Django's own cache
middleware keys them (the URL, and the value of every header the response varies on, such as
`Accept`), with the data version in the key prefix. Pages vary on the language too: the key holds
the language the request is answered in (gfmd.lib.i18n), whether it came from the language
cookie or from `Accept-Language`, so a French page is never served to an English visitor, and the
many spellings of one preference (`fr-FR,fr;q=0.9`, `fr`) share one entry. Responses of
signed-in users (any cookie but the language one), the admin and anything that sets a cookie are
never stored or served from here. `GFMD_PAGE_CACHE=0` turns it off.

Only the parameters the view reads are in the key, in order: a page view says which those are
in `query_parameters` (names, or a class method giving them: a filtered list's are its
FilterSet's and `page`), so
`?foo=1`, `?foo=2` and the bare URL are one entry and a link with any tag appended makes no new
one. A view that says nothing is keyed on all its parameters but campaign tags (`utm_*`,
`fbclid`, ...); the API's endpoints are, since they answer an unknown parameter with a 400,
which is never stored. A response over `GFMD_PAGE_CACHE_MAX_BYTES` (256 KiB by default) is
served but not stored. If the cache is away or full, pages are served uncached
(gfmd.lib.resilient_cache).
"""

from __future__ import annotations

import copy
from urllib.parse import parse_qsl, urlencode

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import get_cache_key, get_conditional_response, learn_cache_key

from gfmd.lib import data_version, i18n

SKIPPED_PREFIXES = ("/admin/", "/healthz", "/readyz", "/static/")
TIMEOUT = 86400
HIT_HEADER = "X-Page-Cache"
# Query parameters that analytics and mail tools add and no view reads (names or name prefixes).
IGNORED_PARAMETERS = ("utm_", "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga")
MAX_BYTES = 256 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "GFMD_PAGE_CACHE_MAX_BYTES", MAX_BYTES))


def normalised_query(query_string: str, accepted: frozenset[str] | None = None) -> str:
    """The query string as far as the answer depends on it: only the `accepted` names (when
    known), never campaign tags, sorted by name (the values of one name keep their order)."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    kept = [
        (k, v)
        for k, v in pairs
        if not k.startswith(IGNORED_PARAMETERS) and (accepted is None or k in accepted)
    ]
    kept.sort(key=lambda pair: pair[0])
    return urlencode(kept)


def accepted_parameters(request) -> frozenset[str] | None:
    """The names of the query parameters that the view of `request.path` reads, from its class's
    `query_parameters()`; None when it does not say (or the path is no view's)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    view_class = getattr(match.func, "view_class", None)
    declared = getattr(view_class, "query_parameters", None)
    if declared is None:
        return None
    return frozenset(declared() if callable(declared) else declared)


def keyed(request, language: str):
    """`request`, as the cache key sees it: its query string normalised, and its language
    preference (cookie and Accept-Language) replaced by the language it is answered in."""
    query = request.META.get("QUERY_STRING", "")
    normal = normalised_query(query, accepted_parameters(request)) if query else query
    view = copy.copy(request)
    meta = {**request.META, "QUERY_STRING": normal}
    meta.pop("HTTP_COOKIE", None)
    meta["HTTP_ACCEPT_LANGUAGE"] = language
    view.META = meta
    return view


def cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and set(request.COOKIES) <= {settings.LANGUAGE_COOKIE_NAME}
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
        language = i18n.request_language(request)
        # Django's key also holds the active language: make it this request's, not the one the
        # thread last served.
        as_keyed = keyed(request, language)
        with translation.override(language):
            key = get_cache_key(as_keyed, prefix, "GET", cache=cache)
        if key is not None:
            cached = cache.get(key)
            if cached is not None:
                cached[HIT_HEADER] = "hit"
                # If-None-Match against the stored ETag: 304, with nothing sent again.
                return get_conditional_response(request, etag=cached.get("ETag"), response=cached)
        response = self.get_response(request)
        if self.storable(response):
            with translation.override(language):
                key = learn_cache_key(as_keyed, response, TIMEOUT, prefix, cache=cache)
            # Stored without the marker: each answer says itself whether it was a hit.
            cache.set(key, response, TIMEOUT)
            response[HIT_HEADER] = "miss"
        return response

    @staticmethod
    def storable(response) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and len(response.content) <= max_bytes()
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )
