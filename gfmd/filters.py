"""Filters of the reference data's lists, and the country filter every list of records shares."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from gfmd.lib.filters import ChoicesFilter, KeyMultipleFilter, SearchFilter
from gfmd.models import Country, Organisation, OrganisationKind, Region


def _upper(value):
    return str(value).upper()


def country_filter(field_name: str = "country", **kwargs) -> KeyMultipleFilter:
    """Records by country, given as ISO 3166 alpha-3 codes in any case."""
    return KeyMultipleFilter(
        label=_("Country"),
        field_name=field_name,
        queryset=Country.objects.all(),
        to_field_name="iso3",
        example="ISO 3166 alpha-3 codes such as 'PHL'",
        normalise=_upper,
        label_field=("common_name", "name"),
        **kwargs,
    )


def region_filter(field_name: str = "region", **kwargs) -> ChoicesFilter:
    """Records by UN M49 region."""
    return ChoicesFilter(field_name=field_name, choices=Region.choices, label=_("Region"), **kwargs)


class CountryFilter(django_filters.FilterSet):
    q = SearchFilter()
    region = region_filter()
    subregion = django_filters.CharFilter(max_length=60, label=_("Sub-region"))

    class Meta:
        model = Country
        fields: list[str] = []


class OrganisationFilter(django_filters.FilterSet):
    q = SearchFilter()
    kind = ChoicesFilter(choices=OrganisationKind.choices, label=_("Kind"))

    class Meta:
        model = Organisation
        fields: list[str] = []
