"""The interface language of a request.

Pages speak English, French or Spanish: the language the visitor chose with the switcher (a
cookie, set by Django's `set_language` view), else the best match of the browser's
`Accept-Language`, else English. The API, its schema and documentation, and the admin stay in
English whatever the request asks, so their field names and messages never move.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

# Addresses answered in English only.
ENGLISH_ONLY_PREFIXES = ("/api/", "/admin/")


def english_only(request) -> bool:
    return request.path_info.startswith(ENGLISH_ONLY_PREFIXES)


def request_language(request) -> str:
    """The language this request is answered in (a code of `settings.LANGUAGES`)."""
    if english_only(request):
        return translation.get_supported_language_variant(settings.LANGUAGE_CODE)
    return translation.get_language_from_request(request)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, with the English-only addresses kept in English. A page's language depends on
    the language cookie as well as on Accept-Language, so pages vary on both."""

    def process_request(self, request):
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if english_only(request):
            response.headers.setdefault("Content-Language", translation.get_language())
            return response
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response
