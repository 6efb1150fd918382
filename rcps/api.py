"""API resource: RCP profiles."""

from rest_framework import serializers

from gfmd.lib.api.refs import (
    CitationSerializer,
    CountryRef,
    LinkField,
    OrganisationRef,
    PracticeRef,
    WebLinkField,
)
from gfmd.lib.api.viewsets import CuratedViewSet, write_serializer_for
from rcps.filters import RCPFilter
from rcps.models import RCP


class RCPSerializer(serializers.ModelSerializer):
    supporting_organisations = OrganisationRef(many=True, read_only=True)
    focus_areas = serializers.ListField(source="focus_area_list", read_only=True)
    url = LinkField("api:rcp-detail")
    web_url = WebLinkField()

    class Meta:
        model = RCP
        fields = [
            "slug",
            "name",
            "short_name",
            "acronym",
            "region",
            "region_detail",
            "md_engagement",
            "md_engagement_source",
            "questionnaire",
            "secretariat",
            "supporting_organisations",
            "focus_areas",
            "url",
            "web_url",
        ]


class RCPDetailSerializer(RCPSerializer):
    members = CountryRef(many=True, read_only=True)
    practices = PracticeRef(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(RCPSerializer.Meta):
        fields = [
            *RCPSerializer.Meta.fields,
            "version",
            "established_year",
            "established_occasion",
            "members",
            "members_text",
            "observers",
            "website",
            "narrative",
            "practices",
            "curator_note",
            "citations",
        ]


class RCPViewSet(CuratedViewSet):
    """Regional consultative processes on migration."""

    lookup_field = "slug"
    filterset_class = RCPFilter
    list_serializer_class = RCPSerializer
    detail_serializer_class = RCPDetailSerializer
    write_serializer_class = write_serializer_for(RCP)

    def list_queryset(self):
        return RCP.objects.with_related()

    def detail_queryset(self):
        return RCP.objects.for_detail()
