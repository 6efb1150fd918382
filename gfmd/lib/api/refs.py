"""Short nested summaries with links, so a client can walk from one record to the next."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gfmd.lib.links import absolute, key_url


@extend_schema_field(OpenApiTypes.URI)
class LinkField(serializers.Field):
    """The API URL of a record, from its view name and the attribute that keys it."""

    def __init__(self, view_name: str, key: str = "slug", transform=None, **kwargs):
        self.view_name = view_name
        self.key = key
        self.transform = transform
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        value = getattr(instance, self.key)
        if self.transform:
            value = self.transform(value)
        return absolute(self.context.get("request"), key_url(self.view_name, value))


@extend_schema_field(OpenApiTypes.URI)
class WebLinkField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return absolute(self.context.get("request"), instance.get_absolute_url())


def _lower(value: str) -> str:
    return value.lower()


class CountryRef(serializers.Serializer):
    iso3 = serializers.CharField()
    name = serializers.CharField(source="display_name")
    url = LinkField("api:country-detail", key="iso3", transform=_lower)


class OrganisationRef(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    url = LinkField("api:organisation-detail")


class ThemeRef(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = LinkField("api:theme-detail")


class SessionRef(serializers.Serializer):
    code = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url = LinkField("api:session-detail")


class PracticeRef(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = LinkField("api:practice-detail")


class RCPRef(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    url = LinkField("api:rcp-detail")


class ActorRef(serializers.Serializer):
    """Who a recommendation asks to act (no resource of its own: the slug is its key)."""

    slug = serializers.CharField()
    name = serializers.CharField()


class MeetingRef(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = LinkField("api:meeting-detail")


class RoundtableRef(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url = LinkField("api:roundtable-detail")


class PageRef(serializers.Serializer):
    """A record that has a page but no API resource of its own (topics, horizontal issues)."""

    slug = serializers.CharField()
    title = serializers.CharField()
    web_url = WebLinkField()


class SourceRef(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    short_title = serializers.CharField()
    url = LinkField("api:sourcedocument-detail")


class RecommendationRef(serializers.Serializer):
    slug = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    url = LinkField("api:recommendation-detail")


class CitationSerializer(serializers.Serializer):
    """Where a record's words are in its source: the document, the passage quoted (its anchor
    and its place, a paragraph number, page or lines) and the excerpt. Subclass it (or add
    fields) to say more about the place: the fields are read from the citation, its passage and
    its document only."""

    document = SourceRef()
    passage = serializers.CharField(
        source="passage.anchor", default=None, help_text="Anchor of the passage quoted."
    )
    place = serializers.CharField(help_text="Paragraph number, page or lines of the passage.")
    locator = serializers.CharField()
    line_start = serializers.IntegerField(allow_null=True)
    line_end = serializers.IntegerField(allow_null=True)
    excerpt = serializers.CharField()
    web_url = WebLinkField(help_text="The passage in the document's reader.")
