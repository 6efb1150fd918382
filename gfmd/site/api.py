"""API resources of the reference data (countries, organisations) and the search across every kind
of record. Sources and citations are in `gfmd.site.sources_api`."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gfmd.filters import CountryFilter, OrganisationFilter
from gfmd.lib.api.openapi import AutoSchema
from gfmd.lib.api.refs import (
    CitationSerializer,
    CountryRef,
    LinkField,
    PracticeRef,
    RCPRef,
    WebLinkField,
)
from gfmd.lib.api.strict import StrictParametersMixin
from gfmd.lib.api.viewsets import CuratedViewSet, ReadOnlyViewSet, write_serializer_for
from gfmd.lib.data_version import cached
from gfmd.lib.links import absolute, key_url
from gfmd.lib.search import suggest
from gfmd.models import Country, Organisation
from gfmd.site.search import KIND_NAMES, SearchForm, search_all
from gfmd.templatetags.gfmd_tags import highlighted


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


class CountryViewSet(ReadOnlyViewSet):
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
    country = CountryRef(read_only=True, allow_null=True)

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


class ParticipationRef(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    session = serializers.CharField(source="session.code", allow_null=True, default=None)
    url = LinkField("api:participation-detail", key="key")


class OrganisationDetailSerializer(OrganisationSerializer):
    practices = PracticeRef(many=True, read_only=True)
    rcps = RCPRef(many=True, read_only=True)
    participations = ParticipationRef(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(OrganisationSerializer.Meta):
        fields = [
            *OrganisationSerializer.Meta.fields,
            "version",
            "practices",
            "rcps",
            "participations",
            "citations",
        ]


class OrganisationViewSet(CuratedViewSet):
    lookup_field = "slug"
    filterset_class = OrganisationFilter
    list_serializer_class = OrganisationSerializer
    detail_serializer_class = OrganisationDetailSerializer
    write_serializer_class = write_serializer_for(Organisation)

    def list_queryset(self):
        return Organisation.objects.with_related()

    def detail_queryset(self):
        return Organisation.objects.for_detail()


class HighlightedField(serializers.CharField):
    """HTML: the record's text escaped, the words found in <mark>. Escaping the text is what lets
    a client show it as HTML: a curator's '<img onerror=...>' stays text, as on the search page."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", "HTML: the text escaped, the words found in <mark>.")
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(highlighted(value))


class UnmarkedField(serializers.CharField):
    """Plain text: a highlight with its <mark> tags taken out (no HTML, no entities)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return (value or "").replace("<mark>", "").replace("</mark>", "")


# The API resource of each kind of search hit: view name, attribute that keys it, transform.
HIT_RESOURCES = {
    "practice": ("api:practice-detail", "slug", None),
    "recommendation": ("api:recommendation-detail", "slug", None),
    "session": ("api:session-detail", "slug", None),
    "rcp": ("api:rcp-detail", "slug", None),
    "organisation": ("api:organisation-detail", "slug", None),
    "country": ("api:country-detail", "iso3", str.lower),
}


@extend_schema_field(OpenApiTypes.URI)
class HitLinkField(serializers.Field):
    """The API URL of a search hit, whatever its kind."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, hit):
        view_name, key, transform = HIT_RESOURCES[hit.kind]
        value = getattr(hit, key)
        value = transform(value) if transform else value
        return absolute(self.context.get("request"), key_url(view_name, value))


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_NAMES, read_only=True)
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(
        source="plain_title", read_only=True, help_text="Plain text: the record's title."
    )
    title_highlight = HighlightedField(source="heading")
    snippet = UnmarkedField(help_text="Plain text: the passage the words were found in.")
    snippet_highlight = HighlightedField(source="snippet")
    url = HitLinkField()
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


def search_parameters() -> list[OpenApiParameter]:
    """The OpenAPI description of `SearchForm`'s fields, which check the parameters."""
    fields = SearchForm.base_fields
    return [
        OpenApiParameter(
            "q",
            str,
            required=True,
            description=f"{fields['q'].help_text} At most 200 characters.",
            examples=[OpenApiExample("remittances", value="remittances")],
        ),
        OpenApiParameter(
            "kind", str, many=True, enum=KIND_NAMES, description=fields["kind"].help_text
        ),
        OpenApiParameter("per_kind", int, description=f"{fields['per_kind'].help_text} 1 to 50."),
    ]


class SearchSchema(AutoSchema):
    """The search answers one object (query, total, groups), not a list of them, though it is
    the viewset's `list` action."""

    def get_summary(self) -> str:
        return "Search every kind of record"

    def _is_list_view(self, serializer=None) -> bool:
        return False


class SearchViewSet(StrictParametersMixin, viewsets.ViewSet):
    """One search across practices, recommendations, sessions, RCPs, organisations and countries;
    results grouped by kind. Titles and snippets are HTML: the text escaped, the words found in
    <mark>."""

    schema = SearchSchema()
    extra_parameters = tuple(SearchForm.base_fields)

    @extend_schema(parameters=search_parameters(), responses={200: SearchResultSerializer})
    def list(self, request):
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        text, kinds, per_kind = form.search()
        groups = cached(
            request,
            "search",
            (text, kinds, per_kind),
            lambda: search_all(text, kinds=kinds, per_kind=per_kind, request=request),
        ).groups
        result = {
            "query": text,
            "total": sum(group.total for group in groups),
            "suggestion": suggest(text, request),
            "groups": groups,
        }
        data = SearchResultSerializer(result, context={"request": request}).data
        if request.accepted_renderer.format == "csv":
            # One row per hit, with its kind.
            return Response([hit for group in data["groups"] for hit in group["hits"]])
        return Response(data)
