"""Root URLs: the pages, the language switcher, the API under /api/v1/, its schema and docs, the
sitemap and the admin."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularRedocView

from gfmd.lib import health
from gfmd.lib.api.schema import DocsView, SchemaView
from gfmd.site.sitemaps import SITEMAPS

urlpatterns = [
    path("", include("gfmd.site.urls")),
    path("", include("practices.urls")),
    path("", include("roundtables.urls")),
    path("", include("rcps.urls")),
    path("", include("gfmd.curation.urls")),
    path("api/v1/", include(("gfmd.api_router", "api"))),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the CSP needs no inline script.
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # The language switcher's form. Without a CSRF token, so that every page stays cacheable
    # (a token would set a cookie): all another site could do with it is change the language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler400 = "gfmd.site.views.bad_request"
handler404 = "gfmd.site.views.page_not_found"
handler500 = "gfmd.site.views.server_error"
