"""The theme filter, which every list of themed records shares, and the practice list's filters
(the HTML page and the API)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from gfmd.filters import country_filter, region_filter
from gfmd.lib.filters import (
    ChoicesFilter,
    KeyMultipleFilter,
    OrderingFilter,
    SearchFilter,
    YearFilter,
    related_to_any,
)
from practices.models import Practice, PracticeType, Scope, Theme
from rcps.models import RCP
from roundtables.filter_fields import meeting_filter, roundtable_filter, session_filter


def theme_filter(example: str = "remittance-costs") -> KeyMultipleFilter:
    """Records by theme; a theme selects its own records and those of the themes below it. The
    FilterSet using it mixes in `ThemeFilterMixin`."""
    return KeyMultipleFilter(
        label=_("Theme"),
        field_name="themes",
        queryset=Theme.objects.published(),
        to_field_name="slug",
        method="filter_theme",
        parent_field="parent",
        example=f"a theme slug such as '{example}'",
    )


class ThemeFilterMixin:
    def filter_theme(self, queryset, name, themes):
        """A theme selects its own records and those of the themes below it."""
        if not themes:
            return queryset
        return related_to_any(queryset, "themes", Theme.objects.with_descendants(themes))


class PracticeFilter(ThemeFilterMixin, django_filters.FilterSet):
    q = SearchFilter()
    theme = theme_filter(example="health-workforce")
    country = country_filter("countries", distinct=True)
    region = region_filter("countries__region", distinct=True)
    scope = ChoicesFilter(choices=Scope.choices, label=_("Scope"))
    type = ChoicesFilter(choices=PracticeType.choices, label=_("Type"))
    session = session_filter("sessions", distinct=True)
    roundtable = roundtable_filter("sessions__roundtable", distinct=True)
    meeting = meeting_filter("sessions__meeting", distinct=True)
    rcp = KeyMultipleFilter(
        label=_("RCP"),
        field_name="rcps",
        queryset=RCP.objects.published(),
        to_field_name="slug",
        example="an RCP slug such as 'colombo-process'",
        distinct=True,
    )
    start_year_min = YearFilter(field_name="start_year", lookup_expr="gte", label=_("Started from"))
    start_year_max = YearFilter(field_name="start_year", lookup_expr="lte", label=_("Started by"))
    ordering = OrderingFilter(
        fields=(("title", "title"), ("start_year", "start_year"), ("scope", "scope")),
        label=_("Sort by"),
    )

    class Meta:
        model = Practice
        fields: list[str] = []
