"""API resources of the reference data, and the router of /api/v1/."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import routers, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from gfmd.filters import (
    NOT_UTF8,
    REPLACEMENT_CHARACTER,
    CountryFilter,
    FilterBackend,
    OrganisationFilter,
)
from gfmd.lib.api.refs import CitationSerializer, LinkField, PracticeRef, RCPRef, WebLinkField
from gfmd.lib.api.viewsets import (
    CSVWholeListMixin,
    CuratedViewSet,
    Pagination,
    write_serializer_for,
)
from gfmd.lib.data_version import cached
from gfmd.lib.search import suggest
from gfmd.models import Country, Organisation, SourceDocument
from gfmd.site.search import KIND_NAMES, search_all
from gfmd.templatetags.gfmd_tags import highlighted


class CheckedPagination(Pagination):
    """Pages whose parameters are checked: a `page_size` that is not a whole number from 1 up is
    a 400 (DRF would silently use the default), one above the maximum is capped as documented,
    and every value of a repeated `page` or `page_size` must be valid, not only the last."""

    invalid_page_message = "Invalid page: {message}."

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        for value in values:
            if not _positive_whole_number(value):
                raise ValidationError(
                    {
                        self.page_size_query_param: [
                            f"Use a whole number from 1 to {self.max_page_size}."
                        ]
                    }
                )
        digits = values[-1].lstrip("0")
        # Above the maximum is capped (as documented), without converting a huge number.
        return min(int(digits) if len(digits) <= 9 else self.max_page_size, self.max_page_size)

    def get_page_number(self, request, paginator):
        values = request.query_params.getlist(self.page_query_param)
        for value in values[:-1]:
            if value not in self.last_page_strings and not _positive_whole_number(value):
                raise NotFound(self.invalid_page_message.format(message="not a page number"))
        return super().get_page_number(request, paginator)


def _positive_whole_number(value: str) -> bool:
    return value.isascii() and value.isdigit() and bool(value.strip("0"))


class ContentNegotiation(DefaultContentNegotiation):
    """An unknown `format` is a 404 that says which formats there are (DRF says "Not found.");
    every value of a repeated `format` must be known, not only the last."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if not format_suffix:
            known = [renderer.format for renderer in renderers]
            for value in request.query_params.getlist(self.settings.URL_FORMAT_OVERRIDE):
                if value and value not in known:
                    raise NotFound(
                        f"format: unknown format {value[:40]!r}; use one of {', '.join(known)}."
                    )
        return super().select_renderer(request, renderers, format_suffix)


class CheckedParameters:
    """Mixed into every API view: filters, pages and formats whose bad values are reported, and
    detail keys limited to the characters of a slug (PostgreSQL refuses text with a NUL byte)."""

    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filter_backends = [FilterBackend]
    pagination_class = CheckedPagination
    content_negotiation_class = ContentNegotiation


class CountrySerializer(serializers.ModelSerializer):
    url = LinkField("api:country-detail", key="iso3", transform=str.lower)
    web_url = WebLinkField()
    practice_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Country
        fields = [
            "iso3",
            "iso2",
            "numeric",
            "name",
            "common_name",
            "slug",
            "region",
            "subregion",
            "practice_count",
            "url",
            "web_url",
        ]


class CountryDetailSerializer(CountrySerializer):
    practices = serializers.SerializerMethodField()
    rcps = serializers.SerializerMethodField()

    class Meta(CountrySerializer.Meta):
        fields = [*CountrySerializer.Meta.fields, "version", "practices", "rcps"]

    @extend_schema_field(PracticeRef(many=True))
    def get_practices(self, country):
        return PracticeRef(country.published_practices, many=True, context=self.context).data

    @extend_schema_field(RCPRef(many=True))
    def get_rcps(self, country):
        return RCPRef(country.rcps.all(), many=True, context=self.context).data


class CountryViewSet(CheckedParameters, CSVWholeListMixin, viewsets.ReadOnlyModelViewSet):
    """ISO 3166 states with their UN M49 region; detail by ISO alpha-3 code (any case)."""

    lookup_field = "iso3"
    lookup_value_regex = "[A-Za-z]{3}"
    filterset_class = CountryFilter
    serializer_class = CountrySerializer

    def get_queryset(self):
        return Country.objects.annotate_practice_count().order_by("name")

    def get_serializer_class(self):
        return CountryDetailSerializer if self.action == "retrieve" else CountrySerializer

    def get_object(self):
        queryset = Country.objects.for_detail()
        return get_object_or_404(queryset, iso3=self.kwargs["iso3"].upper())


class OrganisationSerializer(serializers.ModelSerializer):
    url = LinkField("api:organisation-detail")
    web_url = WebLinkField()
    country = serializers.SlugRelatedField(slug_field="iso3", read_only=True, allow_null=True)

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "acronym",
            "kind",
            "country",
            "website",
            "description",
            "url",
            "web_url",
        ]


class OrganisationDetailSerializer(OrganisationSerializer):
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "version", "citations"]


class OrganisationViewSet(CheckedParameters, CuratedViewSet):
    lookup_field = "slug"
    filterset_class = OrganisationFilter
    list_serializer_class = OrganisationSerializer
    detail_serializer_class = OrganisationDetailSerializer
    write_serializer_class = write_serializer_for(Organisation)

    def list_queryset(self):
        return Organisation.objects.with_related()

    def detail_queryset(self):
        return Organisation.objects.with_related().prefetch_related("citations__document")


class SourceSerializer(serializers.ModelSerializer):
    url = LinkField("api:sourcedocument-detail")
    web_url = WebLinkField()
    citation_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SourceDocument
        fields = [
            "slug",
            "title",
            "short_title",
            "symbol",
            "publisher",
            "published",
            "date_text",
            "seed_file",
            "description",
            "citation_count",
            "url",
            "web_url",
        ]


class SourceViewSet(CheckedParameters, viewsets.ReadOnlyModelViewSet):
    """The documents the knowledge base is read from."""

    lookup_field = "slug"
    serializer_class = SourceSerializer
    pagination_class = None

    def get_queryset(self):
        # Django drops Meta.ordering from a query with GROUP BY: the order is given again.
        return SourceDocument.objects.annotate(citation_count=Count("citations")).order_by(
            *SourceDocument._meta.ordering
        )


def build_router() -> DefaultRouter:
    from practices.api import PracticeViewSet, ThemeViewSet
    from rcps.api import RCPViewSet
    from roundtables.api import (
        MeetingViewSet,
        ParticipationViewSet,
        RecommendationViewSet,
        RoundtableViewSet,
        SessionViewSet,
    )

    router = DefaultRouter()
    router.APIRootView = APIRootView
    router.register("countries", CountryViewSet, basename="country")
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("sources", SourceViewSet, basename="sourcedocument")
    router.register("themes", ThemeViewSet, basename="theme")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("roundtables", RoundtableViewSet, basename="roundtable")
    router.register("sessions", SessionViewSet, basename="session")
    router.register("participations", ParticipationViewSet, basename="participation")
    router.register("recommendations", RecommendationViewSet, basename="recommendation")
    router.register("practices", PracticeViewSet, basename="practice")
    router.register("rcps", RCPViewSet, basename="rcp")
    router.register("search", SearchViewSet, basename="search")
    return router


class APIRootView(routers.APIRootView):
    content_negotiation_class = ContentNegotiation


class HighlightedField(serializers.CharField):
    """HTML: the record's text escaped, the words found in <mark>. Escaping the text is what lets
    a client show it as HTML: a curator's '<img onerror=...>' stays text, as on the search page."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "HTML: the text escaped, the words found in <mark>.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(highlighted(value))


class SearchHitSerializer(serializers.Serializer):
    title = HighlightedField(source="heading")
    snippet = HighlightedField()
    web_url = WebLinkField()


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    hits = SearchHitSerializer(many=True)


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    total = serializers.IntegerField()
    suggestion = serializers.CharField(
        allow_null=True, help_text="A corrected query when a word is unknown to the knowledge base."
    )
    groups = SearchGroupSerializer(many=True)


class SearchParams(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text="Words to find; websearch syntax.")
    kind = serializers.MultipleChoiceField(
        choices=KIND_NAMES, required=False, help_text="Limit to these kinds of record."
    )
    per_kind = serializers.IntegerField(min_value=1, max_value=50, default=10, required=False)

    def validate_q(self, value):
        if REPLACEMENT_CHARACTER in value:
            raise serializers.ValidationError(NOT_UTF8)
        return value


class SearchSchema(AutoSchema):
    """The search answers one object (query, total, groups), not a list of them, though it is
    the viewset's `list` action."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class SearchViewSet(viewsets.ViewSet):
    """One search across practices, recommendations, sessions, RCPs, organisations and countries;
    results grouped by kind. Titles and snippets are HTML: the text escaped, the words found in
    <mark>."""

    content_negotiation_class = ContentNegotiation
    schema = SearchSchema()

    @extend_schema(parameters=[SearchParams], responses={200: SearchResultSerializer})
    def list(self, request):
        # A repeated parameter is read from its last value; the others must be valid too.
        for name in ("q", "per_kind"):
            for value in request.query_params.getlist(name)[:-1]:
                SearchParams(data={"q": "x", name: value}).is_valid(raise_exception=True)
        params = SearchParams(
            data={
                "q": request.query_params.get("q", ""),
                "kind": request.query_params.getlist("kind"),
                **(
                    {"per_kind": request.query_params["per_kind"]}
                    if "per_kind" in request.query_params
                    else {}
                ),
            }
        )
        params.is_valid(raise_exception=True)
        text = params.validated_data["q"]
        kinds = sorted(params.validated_data.get("kind") or []) or None
        per_kind = params.validated_data.get("per_kind", 10)
        groups = cached(
            request,
            "search",
            (text, kinds, per_kind),
            lambda: search_all(text, kinds=kinds, per_kind=per_kind),
        )
        text = params.validated_data["q"]
        total = sum(group.total for group in groups)
        result = {
            "query": text,
            "total": total,
            "suggestion": suggest(text),
            "groups": groups,
        }
        return Response(SearchResultSerializer(result, context={"request": request}).data)
