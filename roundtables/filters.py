"""Filters of the meeting, session, participation and recommendation lists (HTML and API)."""

from __future__ import annotations

import django_filters

from gfmd.filters import (
    ChoicesFilter,
    KeyMultipleFilter,
    SearchFilter,
    YearFilter,
    related_to_any,
)
from gfmd.models import Country
from practices.models import Theme
from roundtables.models import (
    Actor,
    FollowUpStatus,
    HorizontalIssue,
    Meeting,
    MeetingKind,
    Participation,
    Recommendation,
    Role,
    Roundtable,
    Session,
)


def _upper(value):
    return str(value).upper()


def theme_filter(example: str = "remittance-costs") -> KeyMultipleFilter:
    return KeyMultipleFilter(
        label="Theme",
        queryset=Theme.objects.all(),
        to_field_name="slug",
        method="filter_theme",
        example=f"a theme slug such as '{example}'",
    )


class ThemeFilterMixin:
    def filter_theme(self, queryset, name, themes):
        """A theme selects its own records and those of the themes below it."""
        if not themes:
            return queryset
        return related_to_any(queryset, "themes", Theme.objects.with_descendants(themes))


class MeetingFilter(django_filters.FilterSet):
    kind = ChoicesFilter(choices=MeetingKind.choices, label="Kind")
    year_min = YearFilter(field_name="start_date__year", lookup_expr="gte", label="From year")
    year_max = YearFilter(field_name="start_date__year", lookup_expr="lte", label="To year")

    class Meta:
        model = Meeting
        fields: list[str] = []


class SessionFilter(ThemeFilterMixin, django_filters.FilterSet):
    q = SearchFilter()
    roundtable = KeyMultipleFilter(
        label="Roundtable",
        queryset=Roundtable.objects.all(),
        to_field_name="number",
        example="a roundtable number: 1, 2 or 3",
    )
    theme = theme_filter()
    meeting = KeyMultipleFilter(
        label="Meeting",
        queryset=Meeting.objects.all(),
        to_field_name="slug",
        example="a meeting slug",
    )

    class Meta:
        model = Session
        fields: list[str] = []


class ParticipationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=200, label="Name contains"
    )
    role = ChoicesFilter(choices=Role.choices, label="Role")
    session = KeyMultipleFilter(
        label="Session",
        queryset=Session.objects.all(),
        to_field_name="code",
        example="a session code such as '1.1'",
    )
    roundtable = KeyMultipleFilter(
        label="Roundtable",
        field_name="session__roundtable",
        queryset=Roundtable.objects.all(),
        to_field_name="number",
        example="a roundtable number: 1, 2 or 3",
    )
    country = KeyMultipleFilter(
        label="Country",
        queryset=Country.objects.all(),
        to_field_name="iso3",
        example="ISO 3166 alpha-3 codes such as 'PHL'",
        normalise=_upper,
    )

    class Meta:
        model = Participation
        fields: list[str] = []


class RecommendationFilter(ThemeFilterMixin, django_filters.FilterSet):
    q = SearchFilter()
    roundtable = KeyMultipleFilter(
        label="Roundtable",
        field_name="session__roundtable",
        queryset=Roundtable.objects.all(),
        to_field_name="number",
        example="a roundtable number: 1, 2 or 3",
    )
    session = KeyMultipleFilter(
        label="Session",
        queryset=Session.objects.all(),
        to_field_name="code",
        example="a session code such as '1.1'",
    )
    horizontal_issue = KeyMultipleFilter(
        label="Horizontal issue",
        queryset=HorizontalIssue.objects.all(),
        to_field_name="slug",
        example="'root-causes-of-migration', 'human-rights' or 'gender'",
    )
    theme = theme_filter()
    actor = KeyMultipleFilter(
        label="Asks",
        field_name="actors",
        queryset=Actor.objects.all(),
        to_field_name="slug",
        example="an actor slug such as 'governments'",
        distinct=True,
    )
    status = ChoicesFilter(choices=FollowUpStatus.choices, label="Follow-up")
    ordering = django_filters.OrderingFilter(
        fields=(("session__code", "session"), ("number", "number"), ("status", "status")),
        label="Sort by",
    )

    class Meta:
        model = Recommendation
        fields: list[str] = []
