"""The practice list's filters, shared by the HTML page and the API."""

from __future__ import annotations

import django_filters

from gfmd.filters import ChoicesFilter, KeyMultipleFilter, SearchFilter, YearFilter
from gfmd.models import Country, Region
from practices.models import Practice, PracticeType, Scope
from rcps.models import RCP
from roundtables.filters import ThemeFilterMixin, theme_filter
from roundtables.models import Roundtable, Session


def _upper(value):
    return str(value).upper()


class PracticeFilter(ThemeFilterMixin, django_filters.FilterSet):
    q = SearchFilter()
    theme = theme_filter(example="health-workforce")
    country = KeyMultipleFilter(
        label="Country",
        field_name="countries",
        queryset=Country.objects.all(),
        to_field_name="iso3",
        example="ISO 3166 alpha-3 codes such as 'PHL'",
        normalise=_upper,
        distinct=True,
    )
    region = ChoicesFilter(
        field_name="countries__region", choices=Region.choices, distinct=True, label="Region"
    )
    scope = ChoicesFilter(choices=Scope.choices, label="Scope")
    type = ChoicesFilter(choices=PracticeType.choices, label="Type")
    session = KeyMultipleFilter(
        label="Session",
        field_name="sessions",
        queryset=Session.objects.all(),
        to_field_name="code",
        example="a session code such as '1.1'",
        distinct=True,
    )
    roundtable = KeyMultipleFilter(
        label="Roundtable",
        field_name="sessions__roundtable",
        queryset=Roundtable.objects.all(),
        to_field_name="number",
        example="a roundtable number: 1, 2 or 3",
        distinct=True,
    )
    rcp = KeyMultipleFilter(
        label="RCP",
        field_name="rcps",
        queryset=RCP.objects.all(),
        to_field_name="slug",
        example="an RCP slug such as 'colombo-process'",
        distinct=True,
    )
    start_year_min = YearFilter(field_name="start_year", lookup_expr="gte", label="Started from")
    start_year_max = YearFilter(field_name="start_year", lookup_expr="lte", label="Started by")
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("start_year", "start_year"), ("scope", "scope")),
        label="Sort by",
    )

    class Meta:
        model = Practice
        fields: list[str] = []
