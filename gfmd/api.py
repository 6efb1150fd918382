"""API resources of the reference data, and the router of /api/v1/."""

from __future__ import annotations

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from gfmd.api_common import CSVWholeListMixin, CuratedViewSet, Pagination, write_serializer_for
from gfmd.api_refs import CitationSerializer, LinkField, PracticeRef, RCPRef, WebLinkField
from gfmd.filters import CountryFilter, OrganisationFilter
from gfmd.models import Country, Organisation, SourceDocument
from gfmd.search import suggest
from gfmd.site_search import KIND_NAMES, search_all


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


class CountryViewSet(CSVWholeListMixin, viewsets.ReadOnlyModelViewSet):
    """ISO 3166 states with their UN M49 region; detail by ISO alpha-3 code (any case)."""

    lookup_field = "iso3"
    lookup_value_regex = "[A-Za-z]{3}"
    filterset_class = CountryFilter
    serializer_class = CountrySerializer
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]

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


class OrganisationViewSet(CuratedViewSet):
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


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    """The documents the knowledge base is read from."""

    lookup_field = "slug"
    serializer_class = SourceSerializer
    pagination_class = None

    def get_queryset(self):
        return SourceDocument.objects.annotate(citation_count=Count("citations"))


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


class SearchHitSerializer(serializers.Serializer):
    title = serializers.CharField(source="heading")
    snippet = serializers.CharField()
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


class SearchViewSet(viewsets.ViewSet):
    """One search across practices, recommendations, sessions, RCPs, organisations and countries;
    results grouped by kind with highlighted snippets (<mark>)."""

    @extend_schema(parameters=[SearchParams], responses={200: SearchGroupSerializer(many=True)})
    def list(self, request):
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
        groups = search_all(
            params.validated_data["q"],
            kinds=sorted(params.validated_data.get("kind") or []) or None,
            per_kind=params.validated_data.get("per_kind", 10),
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
