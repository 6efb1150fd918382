"""Pages of the reference data, the home page, search, and the error pages."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Count, Exists, OuterRef
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views import defaults
from django.views.generic import DetailView, ListView, TemplateView

from gfmd.citing import CitableMixin, render_citable
from gfmd.lib.data_version import cached
from gfmd.lib.feeds import FeedLinkMixin, feed_url
from gfmd.lib.filters import error_message
from gfmd.lib.review import PublishedObjectMixin
from gfmd.lib.search import suggest
from gfmd.models import Country, Organisation, SourceDocument
from gfmd.site.search import KINDS, SearchPageForm, search_all
from practices.models import Practice, Theme
from rcps.models import RCP
from roundtables.models import Meeting, Recommendation, Session


class HomeView(TemplateView):
    query_parameters = ()
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The totals and the most cited practices rescan whole tables: computed once per data
        # version (gfmd.lib.data_version), then read from the cache.
        summary = cached(self.request, "home", (), home_summary)
        featured = {p.pk: p for p in Practice.objects.filter(pk__in=summary["featured"])
                    .prefetch_related("countries")}  # fmt: skip
        context.update(
            counts=summary["counts"],
            themes=Theme.objects.published().top_level(),
            featured=[featured[pk] for pk in summary["featured"] if pk in featured],
            sources=SourceDocument.objects.all(),
            meeting=Meeting.objects.published().filter(kind="gfmd").order_by("number").first(),
        )
        return context


def home_summary() -> dict:
    practices = Practice.objects.published()
    return {
        "counts": {
            "practices": practices.count(),
            "sessions": Session.objects.published().count(),
            "recommendations": Recommendation.objects.published().count(),
            "rcps": RCP.objects.published().count(),
            "countries": Country.objects.filter(
                Exists(practices.filter(countries=OuterRef("pk")))
            ).count(),
        },
        "featured": list(
            practices.annotate(citation_count=Count("citations"))
            .order_by("-citation_count", "title")
            .values_list("pk", flat=True)[:6]
        ),
    }


class SearchView(TemplateView):
    template_name = "search.html"
    query_parameters = tuple(SearchPageForm.base_fields)

    def get(self, request, *args, **kwargs):
        form = SearchPageForm(request.GET, require_query=False)
        text = request.GET.get("q", "")
        context = self.get_context_data(q=text, form=form)
        if not form.is_valid():
            context["error"] = error_message(form.errors)
            return self.render_to_response(context, status=400)
        text, kinds, per_kind = form.search()
        if form.has_query():
            use_places = not form.words_as_typed()
            result = cached(
                request,
                "search-page",
                (text, kinds, per_kind, use_places),
                lambda: search_all(
                    text, kinds=kinds, per_kind=per_kind, request=request, use_places=use_places
                ),
            )
            context.update(
                result=result,
                groups=result.groups,
                total=result.total,
                suggestion=suggest(text, request),
                kinds=kinds or [],
                kind_choices=[(kind, label) for kind, label, *_ in KINDS],
                as_typed_url="?" + urlencode([("q", text), ("as_typed", "1")]),
                feed_url=feed_url(request, "search-feed", self.query_parameters),
            )
        return self.render_to_response(context)


class SourceListView(FeedLinkMixin, ListView):
    feed_url_name = "source-feed"
    query_parameters = ()
    template_name = "gfmd/source_list.html"

    def get_queryset(self):
        return SourceDocument.objects.with_citation_count()


EVERY_STATE_ERROR = "all: use all=1 to list every state, or leave it out."


def lists_every_state(params) -> bool:
    """Whether the country list's `all` asks for every state; ValueError (the message of a 400)
    for anything but `all=1`, `all=0` or nothing."""
    values = params.getlist("all")
    if any(value not in ("", "0", "1") for value in values):
        raise ValueError(EVERY_STATE_ERROR)
    return bool(values) and values[-1] == "1"


def listed_countries():
    """The countries the list shows by default: those a published practice or an RCP names."""
    practices = Practice.objects.published().filter(countries=OuterRef("pk"))
    rcps = RCP.objects.filter(members=OuterRef("pk"))
    return Country.objects.filter(Exists(practices) | Exists(rcps))


class CountryListView(FeedLinkMixin, ListView):
    feed_url_name = "country-feed"
    query_parameters = ("all",)
    template_name = "gfmd/country_list.html"

    def get(self, request, *args, **kwargs):
        # `all=1` lists every state; anything else but `all=0` or nothing is a mistake.
        try:
            lists_every_state(request.GET)
        except ValueError as exc:
            return render(
                request,
                "gfmd/country_list.html",
                {"error": str(exc), "only_active": True},
                status=400,
            )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Country.objects.annotate_practice_count()
            .annotate(rcp_count=Count("rcps", distinct=True))
            .order_by("region", "subregion", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        only_active = self.request.GET.get("all") != "1"
        regions: dict[str, dict[str, list[Country]]] = {}
        for country in context["object_list"]:
            if only_active and not (country.practice_count or country.rcp_count):
                continue  # no heading is left without a country under it
            regions.setdefault(country.get_region_display(), {}).setdefault(
                country.subregion or "Other", []
            ).append(country)
        context["regions"] = regions
        context["only_active"] = only_active
        return context


def country_detail(request, iso3: str):
    # Checked before the query: PostgreSQL refuses text with a NUL byte in it.
    if not re.fullmatch(r"[A-Za-z]{3}", iso3):
        raise Http404(
            gettext("No country has that code: use an ISO 3166 alpha-3 code such as PHL.")
        )
    country = get_object_or_404(Country.objects.for_detail(), iso3=iso3.upper())
    context = {"country": country, "object": country}
    return render_citable(request, "gfmd/country_detail.html", country, context)


class OrganisationListView(FeedLinkMixin, ListView):
    feed_url_name = "organisation-feed"
    query_parameters = ()
    template_name = "gfmd/organisation_list.html"

    def get_queryset(self):
        return Organisation.objects.published().with_practice_count()


class OrganisationDetailView(PublishedObjectMixin, CitableMixin, DetailView):
    template_name = "gfmd/organisation_detail.html"

    def get_queryset(self):
        return Organisation.objects.for_detail()


def page_not_found(request, exception):
    message = ""
    if exception and exception.args and isinstance(exception.args[0], str):
        message = exception.args[0].strip()
        if message and message[-1] not in ".!?":
            message += "."
    if request.path.startswith("/api/"):
        # API clients get JSON, like the API's own 404s, rather than a page.
        detail = message or "Not found: there is no API resource at this address."
        return JsonResponse({"detail": detail}, status=404)
    return render(request, "404.html", {"message": message}, status=404)


def bad_request(request, exception):
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            detail = f"The request body is too large: at most {limit} bytes are accepted."
            return JsonResponse({"detail": detail}, status=413)
        message = "Bad request."
        if exception and exception.args and isinstance(exception.args[0], str):
            message = f"Bad request: {exception.args[0].strip()}"
        return JsonResponse({"detail": message}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        detail = "The server failed to answer this request; the error has been logged."
        return JsonResponse({"detail": detail}, status=500)
    return render(request, "500.html", status=500)
