"""API resources: themes and good practices."""

from __future__ import annotations

from django_filters.utils import translate_validation
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from gfmd.lib.api.filters import FilterBackend
from gfmd.lib.api.refs import (
    CitationSerializer,
    CountryRef,
    LinkField,
    OrganisationRef,
    PracticeRef,
    RCPRef,
    RecommendationRef,
    SessionRef,
    ThemeRef,
    WebLinkField,
)
from gfmd.lib.api.viewsets import CuratedViewSet, write_serializer_for
from gfmd.lib.data_version import cached_ids
from gfmd.models import Region
from practices.facets import cached_practice_facets
from practices.filters import PracticeFilter
from practices.models import Practice, Theme


class ThemeSerializer(serializers.ModelSerializer):
    parent = ThemeRef(read_only=True, allow_null=True)
    url = LinkField("api:theme-detail")
    web_url = WebLinkField()

    class Meta:
        model = Theme
        fields = ["slug", "name", "kind", "parent", "description", "order", "url", "web_url"]


class ThemeDetailSerializer(ThemeSerializer):
    children = ThemeRef(many=True, read_only=True)
    practices = serializers.SerializerMethodField()
    sessions = SessionRef(many=True, read_only=True)
    recommendations = RecommendationRef(many=True, read_only=True)

    class Meta(ThemeSerializer.Meta):
        fields = [
            *ThemeSerializer.Meta.fields,
            "version",
            "children",
            "practices",
            "sessions",
            "recommendations",
        ]

    @extend_schema_field(PracticeRef(many=True))
    def get_practices(self, theme):
        return PracticeRef(theme.published_practices, many=True, context=self.context).data


class ThemeViewSet(CuratedViewSet):
    lookup_field = "slug"
    list_serializer_class = ThemeSerializer
    detail_serializer_class = ThemeDetailSerializer
    write_serializer_class = write_serializer_for(Theme)

    def list_queryset(self):
        return Theme.objects.select_related("parent")

    def detail_queryset(self):
        return Theme.objects.for_detail()


class PracticeSerializer(serializers.ModelSerializer):
    themes = ThemeRef(many=True, read_only=True)
    countries = CountryRef(many=True, read_only=True)
    url = LinkField("api:practice-detail")
    web_url = WebLinkField()

    class Meta:
        model = Practice
        fields = [
            "slug",
            "title",
            "summary",
            "scope",
            "type",
            "start_year",
            "themes",
            "countries",
            "url",
            "web_url",
        ]


class PracticeDetailSerializer(PracticeSerializer):
    # The model's `results`, named apart from the `results` of a paginated list.
    outcomes = serializers.CharField(
        source="results", read_only=True, help_text="What the practice achieved, as reported."
    )
    partner_countries = CountryRef(many=True, read_only=True)
    organisations = OrganisationRef(many=True, read_only=True)
    sessions = SessionRef(many=True, read_only=True)
    rcps = RCPRef(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(PracticeSerializer.Meta):
        fields = [
            *PracticeSerializer.Meta.fields,
            "version",
            "description",
            "outcomes",
            "partner_countries",
            "organisations",
            "sessions",
            "rcps",
            "curator_note",
            "citations",
        ]


class PracticeCSVSerializer(PracticeSerializer):
    """A row of the practice CSV: the list's fields, the regions of its countries, its
    organisations and the number of its citations."""

    regions = serializers.SerializerMethodField()
    organisations = OrganisationRef(many=True, read_only=True)
    citation_count = serializers.IntegerField(read_only=True)

    class Meta(PracticeSerializer.Meta):
        fields = [*PracticeSerializer.Meta.fields, "regions", "organisations", "citation_count"]

    def get_regions(self, practice) -> list[str]:
        return sorted({c.region for c in practice.countries.all() if c.region != Region.NONE})


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    values = FacetValueSerializer(many=True)


class PracticeViewSet(CuratedViewSet):
    """Good practices. Filters: theme, country, region, scope, type, meeting, session,
    roundtable, rcp, start_year_min/max; `q` searches; `ordering` sorts."""

    lookup_field = "slug"
    filterset_class = PracticeFilter
    list_serializer_class = PracticeSerializer
    detail_serializer_class = PracticeDetailSerializer
    write_serializer_class = write_serializer_for(Practice, renamed={"results": "outcomes"})

    def list_queryset(self):
        if self.action == "list" and self.wants_csv():
            return Practice.objects.published().for_export()
        return Practice.objects.published().with_related()

    def detail_queryset(self):
        return Practice.objects.published().for_detail()

    def staff_detail_queryset(self):
        return Practice.objects.for_detail()

    def get_serializer_class(self):
        if self.action == "list" and self.wants_csv():
            return PracticeCSVSerializer
        return super().get_serializer_class()

    @extend_schema(responses={200: FacetSerializer(many=True)})
    @action(detail=False, pagination_class=None)
    def facets(self, request):
        """How many of the matching practices have each facet value (same filters as the list)."""
        base = self.list_queryset()
        filterset = FilterBackend().get_filterset(request, base, self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        facets = cached_practice_facets(request, filterset, base)
        if self.wants_csv():
            # One row per facet value.
            return Response(
                [
                    {"facet": facet.name, "facet_label": facet.label, **value.__dict__}
                    for facet in facets
                    for value in facet.values
                ]
            )
        return Response(FacetSerializer(facets, many=True).data)

    def paginate_queryset(self, queryset):
        # A page of a list (not a CSV of all of it): the filtered ids come from the cache.
        if self.paginator is not None and self.action == "list":
            queryset = cached_ids(
                self.request,
                "practices",
                queryset,
                self.list_queryset(),
                getattr(self, "filterset", None),
            )
        return super().paginate_queryset(queryset)
