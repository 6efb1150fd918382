"""API resources: meetings, roundtables, sessions, participations and recommendations."""

from __future__ import annotations

import re

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gfmd.lib.api.refs import (
    ActorRef,
    CitationSerializer,
    CountryRef,
    LinkField,
    OrganisationRef,
    PracticeRef,
    RecommendationRef,
    SessionRef,
    ThemeRef,
    WebLinkField,
)
from gfmd.lib.api.viewsets import CuratedViewSet, write_serializer_for
from roundtables.filters import (
    MeetingFilter,
    ParticipationFilter,
    RecommendationFilter,
    SessionFilter,
)
from roundtables.models import Meeting, Participation, Recommendation, Roundtable, Session

SESSION_CODE = re.compile(r"^[0-9]+\.[0-9]+$")


class MeetingSerializer(serializers.ModelSerializer):
    host_country = CountryRef(read_only=True, allow_null=True)
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    url = LinkField("api:meeting-detail")
    web_url = WebLinkField()

    class Meta:
        model = Meeting
        fields = [
            "slug",
            "title",
            "kind",
            "number",
            "parent",
            "city",
            "host_country",
            "start_date",
            "end_date",
            "date_text",
            "chair",
            "summary",
            "url",
            "web_url",
        ]


class RoundtableRef(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url = LinkField("api:roundtable-detail")


class PartRef(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    url = LinkField("api:meeting-detail")


class PageRef(serializers.Serializer):
    """A record that has a page but no API resource of its own (topics, horizontal issues)."""

    slug = serializers.CharField()
    title = serializers.CharField()
    web_url = WebLinkField()


class MeetingDetailSerializer(MeetingSerializer):
    roundtables = RoundtableRef(many=True, read_only=True)
    parts = PartRef(many=True, read_only=True)
    topics = PageRef(many=True, read_only=True)
    horizontal_issues = PageRef(many=True, read_only=True)
    attendance = serializers.CharField()
    outcomes = serializers.CharField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "version",
            "attendance",
            "outcomes",
            "roundtables",
            "parts",
            "topics",
            "horizontal_issues",
            "citations",
        ]


class MeetingViewSet(CuratedViewSet):
    lookup_field = "slug"
    filterset_class = MeetingFilter
    list_serializer_class = MeetingSerializer
    detail_serializer_class = MeetingDetailSerializer
    write_serializer_class = write_serializer_for(Meeting)

    def list_queryset(self):
        return Meeting.objects.with_related()

    def detail_queryset(self):
        return Meeting.objects.for_detail()


class ParticipationSerializer(serializers.ModelSerializer):
    session = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    roundtable = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    # a role at the meeting outside its sessions: the meeting and the part of it
    meeting = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    country = CountryRef(read_only=True, allow_null=True)
    organisation = OrganisationRef(read_only=True, allow_null=True)

    class Meta:
        model = Participation
        fields = [
            "id",
            "name",
            "role",
            "position",
            "affiliation",
            "country",
            "organisation",
            "session",
            "roundtable",
            "meeting",
            "part",
            "order",
        ]


class RoundtableSerializer(serializers.ModelSerializer):
    meeting = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = LinkField("api:roundtable-detail")
    web_url = WebLinkField()

    class Meta:
        model = Roundtable
        fields = ["number", "slug", "title", "meeting", "url", "web_url"]


class RoundtableDetailSerializer(RoundtableSerializer):
    sessions = SessionRef(many=True, read_only=True)
    participations = ParticipationSerializer(many=True, read_only=True)
    themes = ThemeRef(many=True, read_only=True)
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(RoundtableSerializer.Meta):
        fields = [
            *RoundtableSerializer.Meta.fields,
            "version",
            "background",
            "themes",
            "participations",
            "sessions",
            "curator_note",
            "citations",
        ]


class RoundtableViewSet(CuratedViewSet):
    lookup_field = "slug"
    list_serializer_class = RoundtableSerializer
    detail_serializer_class = RoundtableDetailSerializer
    write_serializer_class = write_serializer_for(Roundtable)
    pagination_class = None

    def list_queryset(self):
        return Roundtable.objects.with_related()

    def detail_queryset(self):
        return Roundtable.objects.for_detail()


class SessionSerializer(serializers.ModelSerializer):
    meeting = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    roundtable = RoundtableRef(read_only=True)
    themes = ThemeRef(many=True, read_only=True)
    url = LinkField("api:session-detail")
    web_url = WebLinkField()

    class Meta:
        model = Session
        fields = [
            "code",
            "slug",
            "label",
            "title",
            "summary",
            "meeting",
            "roundtable",
            "themes",
            "url",
            "web_url",
        ]


class SessionDetailSerializer(SessionSerializer):
    participations = ParticipationSerializer(many=True, read_only=True)
    recommendations = RecommendationRef(many=True, read_only=True)
    practices = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [
            *SessionSerializer.Meta.fields,
            "version",
            "background",
            "panel_discussion",
            "general_discussion",
            "findings",
            "participations",
            "recommendations",
            "practices",
            "curator_note",
            "citations",
        ]

    @extend_schema_field(PracticeRef(many=True))
    def get_practices(self, session):
        return PracticeRef(session.published_practices, many=True, context=self.context).data


class SessionViewSet(CuratedViewSet):
    """Sessions; detail by slug or by code ('1.1')."""

    lookup_field = "slug"
    lookup_value_regex = r"[A-Za-z0-9._-]+"
    filterset_class = SessionFilter
    list_serializer_class = SessionSerializer
    detail_serializer_class = SessionDetailSerializer
    write_serializer_class = write_serializer_for(Session)

    def list_queryset(self):
        return Session.objects.with_related()

    def detail_queryset(self):
        return Session.objects.for_detail()

    def get_object(self):
        key = self.kwargs["slug"]
        queryset = self.get_queryset()
        if SESSION_CODE.match(key):
            matches = list(queryset.filter(code=key)[:2])
            if len(matches) != 1:
                raise Http404(
                    "No session has that code."
                    if not matches
                    else "Several meetings have a session with that code: use its slug."
                )
            obj = matches[0]
        else:
            obj = get_object_or_404(queryset, slug=key)
        self.check_object_permissions(self.request, obj)
        return obj


class RecommendationSerializer(serializers.ModelSerializer):
    session = SessionRef(read_only=True, allow_null=True)
    horizontal_issue = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    actors = ActorRef(many=True, read_only=True)
    themes = ThemeRef(many=True, read_only=True)
    url = LinkField("api:recommendation-detail")
    web_url = WebLinkField()

    class Meta:
        model = Recommendation
        fields = [
            "slug",
            "number",
            "title",
            "text",
            "session",
            "horizontal_issue",
            "actors",
            "themes",
            "status",
            "url",
            "web_url",
        ]


class RecommendationDetailSerializer(RecommendationSerializer):
    citations = CitationSerializer(many=True, read_only=True)

    class Meta(RecommendationSerializer.Meta):
        fields = [
            *RecommendationSerializer.Meta.fields,
            "version",
            "status_note",
            "curator_note",
            "citations",
        ]


class RecommendationViewSet(CuratedViewSet):
    """Recommendations of sessions and policy directions of horizontal issues."""

    lookup_field = "slug"
    filterset_class = RecommendationFilter
    list_serializer_class = RecommendationSerializer
    detail_serializer_class = RecommendationDetailSerializer
    write_serializer_class = write_serializer_for(Recommendation)

    def list_queryset(self):
        return Recommendation.objects.published().with_related()

    def detail_queryset(self):
        return Recommendation.objects.published().for_detail()

    def staff_detail_queryset(self):
        return Recommendation.objects.for_detail()


class ParticipationViewSet(CuratedViewSet):
    """The people of each session and roundtable, by role."""

    lookup_value_regex = "[0-9]+"  # by id; anything else is a plain 404 with a message
    filterset_class = ParticipationFilter
    list_serializer_class = ParticipationSerializer
    detail_serializer_class = ParticipationSerializer
    write_serializer_class = write_serializer_for(Participation)

    def list_queryset(self):
        return Participation.objects.published().with_related()
