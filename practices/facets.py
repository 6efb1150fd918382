"""Facet counts of the practice list: for each facet value, how many of the matching practices
have it. One grouped query per facet, whatever the page size or the number of practices."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.template.loader import render_to_string

from gfmd.lib.data_version import cached, query_key
from practices.filters import PracticeFilter
from practices.models import Practice


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    values: list[FacetValue]


# The facets of the practice list, in the order shown: filters of `PracticeFilter`.
FACET_NAMES = ("theme", "region", "country", "scope", "type", "session", "rcp")


def facet_table(filterset_class=PracticeFilter):
    """For each facet: its parameter, label, the values() path of its key, and the values() path
    of its label (or a mapping of choices), read from the FilterSet's own declarations so that
    a facet and its filter cannot drift apart."""
    table = []
    for name in FACET_NAMES:
        declared = filterset_class.base_filters[name]
        path = declared.field_name
        if "choices" in declared.extra:
            table.append((name, declared.label, path, dict(declared.extra["choices"])))
        else:
            key = declared.extra["to_field_name"]
            table.append(
                (name, declared.label, f"{path}__{key}", f"{path}__{declared.label_field}")
            )
    return tuple(table)


FACETS = facet_table()


# Facets whose key can repeat within one practice (two countries of one region; two meetings'
# sessions sharing a code) count distinct practices. The others count joined rows, which is the
# same number (a practice links a theme, a country or an RCP at most once) and lets PostgreSQL
# aggregate by hashing instead of sorting every joined row.
DISTINCT_COUNT = {"region", "session"}


def practice_facets(matching, selected: dict[str, list[str]], limit: int = 60) -> list[Facet]:
    base = Practice.objects.filter(pk__in=matching.order_by().values("pk"))
    facets = []
    for name, label, key, label_source in FACETS:
        fields = [key] if isinstance(label_source, dict) else [key, label_source]
        rows = (
            # Filtering before values() makes the grouping reuse this one inner join; filtering
            # after annotate() joined the relation a second time and multiplied the rows.
            base.filter(**{f"{key}__isnull": False})
            .values(*fields)
            .annotate(n=Count("pk", distinct=name in DISTINCT_COUNT))
            .order_by("-n", key)[:limit]
        )
        chosen = {str(v).upper() if name == "country" else str(v) for v in selected.get(name, [])}
        values = []
        for row in rows:
            value = str(row[key])
            text = (
                label_source.get(value, value)
                if isinstance(label_source, dict)
                else row[label_source]
            )
            if name == "session":
                text = f"{value} {text}"
            values.append(FacetValue(value, text, row["n"], value in chosen))
        facets.append(Facet(name, label, values))
    return facets


# The page, its size, the format and the sort do not change the facets.
NOT_FACET_PARAMETERS = ("page", "page_size", "format", "ordering")


def cached_practice_facets(request, matching) -> list[Facet]:
    """The facets of the practices `matching` the request's filters, computed once per data
    version and set of filters."""
    selected = {name: request.GET.getlist(name) for name in request.GET}
    return cached(
        request,
        "practices:facets",
        query_key(request, NOT_FACET_PARAMETERS),
        lambda: practice_facets(matching, selected),
    )


def cached_facet_fields(request, matching) -> str:
    """The list page's facet checkboxes as HTML, rendered once per data version and set of
    filters: hundreds of values, each a label, a checkbox and a count."""
    return cached(
        request,
        "practices:facet-fields",
        query_key(request, NOT_FACET_PARAMETERS),
        lambda: render_to_string(
            "practices/_facet_fields.html", {"facets": cached_practice_facets(request, matching)}
        ),
    )
