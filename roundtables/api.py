"""API resources: meetings, roundtables, sessions, participations and recommendations."""

from __future__ import annotations

import re

from django.db.models import Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.text import slugify
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gfmd.lib.api.refs import (
    ActorRef,
    CitationSerializer,
    CountryRef,
    LinkField,
    MeetingRef,
    OrganisationRef,
    PageRef,
    PracticeRef,
    RecommendationRef,
    RoundtableRef,
    SessionRef,
    ThemeRef,
    WebLinkField,
)
from gfmd.lib.api.viewsets import CuratedViewSet, write_serializer_for
from gfmd.lib.links import absolute, key_url
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
    parent = MeetingRef(read_only=True, allow_null=True)
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


class MeetingDetailSerializer(MeetingSerializer):
    roundtables = RoundtableRef(many=True, read_only=True)
    parts = MeetingRef(many=True, read_only=True)
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
    key = serializers.CharField(
        read_only=True,
        help_text="Stable key: `<session, roundtable or meeting slug>/<role>/<name slug>`; for a "
        "role in a part of a meeting, `<meeting slug>/<part slug>/<role>/<name slug>`.",
    )
    session = SessionRef(read_only=True, allow_null=True)
    roundtable = RoundtableRef(read_only=True, allow_null=True)
    # a role at the meeting outside its sessions: the meeting and the part of it
    meeting = MeetingRef(read_only=True, allow_null=True)
    country = CountryRef(read_only=True, allow_null=True)
    organisation = OrganisationRef(read_only=True, allow_null=True)
    url = LinkField("api:participation-detail", key="key")
    web_url = WebLinkField()

    class Meta:
        model = Participation
        fields = [
            "key",
            "version",
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
            "url",
            "web_url",
        ]


class RoundtableSerializer(serializers.ModelSerializer):
    meeting = MeetingRef(read_only=True)
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

    def list_queryset(self):
        return Roundtable.objects.with_related()

    def detail_queryset(self):
        return Roundtable.objects.for_detail()


class SessionSerializer(serializers.ModelSerializer):
    meeting = MeetingRef(read_only=True)
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
    horizontal_issue = PageRef(read_only=True, allow_null=True)
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
    """The people of each session, roundtable and meeting, by role. Detail by key,
    `<session, roundtable or meeting slug>/<role>/<name slug>` (for a role in a part of a
    meeting, `<meeting slug>/<part slug>/<role>/<name slug>`); an old URL by database id
    redirects there."""

    lookup_field = "key"
    lookup_value_regex = (
        r"[0-9]+|[-a-zA-Z0-9_]+/[a-z_]+/[-a-zA-Z0-9_]+"
        r"|[-a-zA-Z0-9_]+/[-a-z0-9_]+/[a-z_]+/[-a-zA-Z0-9_]+"
    )
    filterset_class = ParticipationFilter
    list_serializer_class = ParticipationSerializer
    detail_serializer_class = ParticipationSerializer
    write_serializer_class = write_serializer_for(Participation)

    def list_queryset(self):
        return Participation.objects.published().with_related()

    def get_object(self):
        key = self.kwargs["key"]
        if key.isdigit():
            raise MovedToKey(self._by_id(key))
        parts = key.split("/")
        if len(parts) == 4:
            parent_slug, part_slug, role, name_slug = parts
            parent = Q(meeting__slug=parent_slug)
        else:
            (parent_slug, role, name_slug), part_slug = parts, ""
            parent = (
                Q(session__slug=parent_slug)
                | Q(roundtable__slug=parent_slug)
                | Q(meeting__slug=parent_slug, part="")
            )
        queryset = self.get_queryset().filter(parent, role=role)
        matches = [
            p
            for p in queryset
            if slugify(p.name) == name_slug and (not part_slug or slugify(p.part) == part_slug)
        ]
        if len(matches) != 1:
            raise Http404(
                "No participation has that key: <session, roundtable or meeting slug>/<role>/"
                "<name slug>, or <meeting slug>/<part slug>/<role>/<name slug>."
            )
        self.check_object_permissions(self.request, matches[0])
        return matches[0]

    def _by_id(self, key: str) -> str:
        found = self.get_queryset().filter(pk=int(key)).first() if len(key) < 12 else None
        if found is None:
            raise Http404(
                "No participation has that id. Participations are keyed by <session, roundtable "
                "or meeting slug>/<role>/<name slug>; ids are not kept across releases."
            )
        return key_url("api:participation-detail", found.key)

    def handle_exception(self, exc):
        if isinstance(exc, MovedToKey):
            url = absolute(self.request, exc.location)
            if self.request.query_params:
                url += "?" + self.request.query_params.urlencode()
            return HttpResponsePermanentRedirect(url)
        return super().handle_exception(exc)


class MovedToKey(Exception):
    """A participation asked for by its old database id: it lives at its key's URL."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location
