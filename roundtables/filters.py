"""Filters of the meeting, session, participation and recommendation lists (HTML and API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from gfmd.filters import country_filter
from gfmd.lib.filters import (
    ChoicesFilter,
    KeyMultipleFilter,
    OrderingFilter,
    SearchFilter,
    YearFilter,
)
from practices.filters import ThemeFilterMixin, theme_filter
from roundtables.filter_fields import meeting_filter, roundtable_filter, session_filter
from roundtables.models import (
    Actor,
    FollowUpStatus,
    HorizontalIssue,
    Meeting,
    MeetingKind,
    Participation,
    Recommendation,
    Role,
    Session,
)


class MeetingFilter(django_filters.FilterSet):
    kind = ChoicesFilter(choices=MeetingKind.choices, label=_("Kind"))
    year_min = YearFilter(field_name="start_date__year", lookup_expr="gte", label=_("From year"))
    year_max = YearFilter(field_name="start_date__year", lookup_expr="lte", label=_("To year"))

    class Meta:
        model = Meeting
        fields: list[str] = []


class SessionFilter(ThemeFilterMixin, django_filters.FilterSet):
    q = SearchFilter()
    roundtable = roundtable_filter()
    theme = theme_filter()
    meeting = meeting_filter()

    class Meta:
        model = Session
        fields: list[str] = []


class ParticipationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=200, label=_("Name contains")
    )
    role = ChoicesFilter(choices=Role.choices, label=_("Role"))
    session = session_filter()
    roundtable = roundtable_filter("session__roundtable")
    country = country_filter()

    class Meta:
        model = Participation
        fields: list[str] = []


class RecommendationFilter(ThemeFilterMixin, django_filters.FilterSet):
    q = SearchFilter()
    roundtable = roundtable_filter("session__roundtable")
    session = session_filter()
    horizontal_issue = KeyMultipleFilter(
        label=_("Horizontal issue"),
        queryset=HorizontalIssue.objects.published(),
        to_field_name="slug",
        example="'root-causes-of-migration', 'human-rights' or 'gender'",
        label_field="title",
    )
    theme = theme_filter()
    actor = KeyMultipleFilter(
        label=_("Asks"),
        field_name="actors",
        queryset=Actor.objects.all(),
        to_field_name="slug",
        example="an actor slug such as 'governments'",
        distinct=True,
    )
    status = ChoicesFilter(choices=FollowUpStatus.choices, label=_("Follow-up"))
    ordering = OrderingFilter(
        fields=(("session__code", "session"), ("number", "number"), ("status", "status")),
        label=_("Sort by"),
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []
