"""API resources: themes and good practices."""

from __future__ import annotations

from rest_framework import serializers

from gfmd.api_common import CuratedViewSet, write_serializer_for
from gfmd.api_refs import (
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
from practices.filters import PracticeFilter
from practices.models import Practice, Theme


class ThemeSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)
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
            "children",
            "practices",
            "sessions",
            "recommendations",
        ]

    def get_practices(self, theme):
        return PracticeRef(theme.published_practices, many=True, context=self.context).data


class ThemeViewSet(CuratedViewSet):
    lookup_field = "slug"
    list_serializer_class = ThemeSerializer
    detail_serializer_class = ThemeDetailSerializer
    write_serializer_class = write_serializer_for(Theme)
    pagination_class = None

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
    partner_countries = CountryRef(many=True, read_only=True)
    organisations = OrganisationRef(many=True, read_only=True)
    sessions = SessionRef(many=True, read_only=True)
    rcps = RCPRef(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(PracticeSerializer.Meta):
        fields = [
            *PracticeSerializer.Meta.fields,
            "description",
            "results",
            "partner_countries",
            "organisations",
            "sessions",
            "rcps",
            "curator_note",
            "citations",
        ]


class PracticeViewSet(CuratedViewSet):
    """Good practices. Filters: theme, country, region, scope, type, session, roundtable, rcp,
    start_year_min/max; `q` searches; `ordering` sorts."""

    lookup_field = "slug"
    filterset_class = PracticeFilter
    list_serializer_class = PracticeSerializer
    detail_serializer_class = PracticeDetailSerializer
    write_serializer_class = write_serializer_for(Practice)

    def list_queryset(self):
        return Practice.objects.published().with_related()

    def detail_queryset(self):
        return Practice.objects.published().for_detail()
