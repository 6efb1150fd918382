"""Facet counts of a filtered list, by the disjunctive rule: each facet's counts are computed with
every other facet's filters applied but not its own, so that the number beside a value is what
ticking it would give (values within a facet combine with OR). A selected value stays listed,
with its count, even when that count is zero.

The table of facets is read from the FilterSet's own declarations, so a facet and its filter
cannot drift apart. Every facet is counted in one query (`gfmd.lib.facet_counts`), whatever the
page size or the list's length."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import IntegerField, Subquery
from django.template.loader import render_to_string

from gfmd.lib.data_version import cached, query_key
from gfmd.lib.facet_counts import facet_counts


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

    # Values shown before "show more".
    shown = 8

    @property
    def first(self) -> list[FacetValue]:
        return self.values[: self.shown]

    @property
    def more(self) -> list[FacetValue]:
        return self.values[self.shown :]

    @property
    def any_selected_in_more(self) -> bool:
        return any(v.selected for v in self.more)


@dataclass(frozen=True)
class FacetSpec:
    name: str
    label: str
    # The values() path of the facet's key, and the paths of its label, the first one not empty
    # (or a mapping of choices).
    key: str
    label_source: tuple[str, ...] | dict
    # A hierarchy (the theme tree): the field naming a record's parent; a value then counts the
    # records of itself and of every value below it, as its filter selects them.
    parent_field: str = ""
    # The key can repeat within one record (two countries of one region): count distinct records.
    distinct: bool = False


def facet_table(filterset_class, names, distinct=()) -> tuple[FacetSpec, ...]:
    table = []
    for name in names:
        declared = filterset_class.base_filters[name]
        path = declared.field_name
        if "choices" in declared.extra:
            spec = FacetSpec(name, declared.label, path, dict(declared.extra["choices"]))
        else:
            key = declared.extra["to_field_name"]
            spec = FacetSpec(
                name,
                declared.label,
                f"{path}__{key}",
                tuple(f"{path}__{field}" for field in label_fields(declared)),
                parent_field=getattr(declared, "parent_field", ""),
            )
        table.append(
            FacetSpec(**{**spec.__dict__, "distinct": name in distinct})
            if name in distinct
            else spec
        )
    return tuple(table)


def label_fields(declared) -> tuple[str, ...]:
    """The fields naming a filter's records, the first one not empty: ("common_name", "name")."""
    fields = declared.label_field
    return (fields,) if isinstance(fields, str) else tuple(fields)


def first_filled(values) -> str:
    return next((str(value) for value in values if value), "")


class DistinctCount(Subquery):
    """The number of distinct values of a one-column subquery."""

    template = "(SELECT count(DISTINCT _c.x) FROM (%(subquery)s) _c(x))"
    output_field = IntegerField()


def selected_values(filterset, spec: FacetSpec) -> list[tuple[str, str]]:
    """(key, label) of the values chosen for this facet, from the validated form (no query)."""
    data = getattr(filterset.form, "cleaned_data", None) or {}
    chosen = data.get(spec.name) or []
    if isinstance(spec.label_source, dict):
        return [(str(v), str(spec.label_source.get(str(v), v))) for v in chosen]
    declared = filterset.filters[spec.name]
    key = declared.extra["to_field_name"]
    return [
        (str(getattr(obj, key)), first_filled(getattr(obj, f) for f in label_fields(declared)))
        for obj in chosen
    ]


def disjunctive_facets(
    filterset, base, table: tuple[FacetSpec, ...], limit: int = 250, label_format=None
) -> list[Facet]:
    """The facets of `filterset` (validated) over `base` (the unfiltered list), in one query."""
    counted = facet_counts(filterset, base, table, limit)
    facets = []
    for spec in table:
        chosen = dict(selected_values(filterset, spec))
        choices = spec.label_source if isinstance(spec.label_source, dict) else None
        values = []
        for key, label, count in counted[spec.name]:
            if key == "":
                # A blank value (an RCP whose region the documents do not state) is no value to
                # tick.
                continue
            if choices is not None:
                label = choices.get(key, key)
            text = label_format(spec.name, key, label) if label_format else label
            values.append(FacetValue(key, str(text), count, key in chosen))
        listed = {v.value for v in values}
        for key, label in chosen.items():
            if key not in listed:
                text = label_format(spec.name, key, label) if label_format else label
                values.append(FacetValue(key, str(text), 0, True))
        facets.append(Facet(spec.name, spec.label, values))
    return facets


# The page, its size, the format and the sort do not change the facets.
NOT_FACET_PARAMETERS = ("page", "page_size", "format", "ordering")


def cached_facets(request, name: str, filterset, base, table, label_format=None) -> list[Facet]:
    """`disjunctive_facets`, computed once per data version and set of filters."""
    return cached(
        request,
        f"{name}:facets",
        query_key(request, NOT_FACET_PARAMETERS),
        lambda: disjunctive_facets(filterset, base, table, label_format=label_format),
    )


def cached_facet_fields(request, name: str, facets) -> str:
    """The facet checkboxes as HTML, rendered once per data version and set of filters: up to
    hundreds of values, each a label, a checkbox and a count. `facets` is a callable."""
    return cached(
        request,
        f"{name}:facet-fields",
        query_key(request, NOT_FACET_PARAMETERS),
        lambda: render_to_string("includes/facet_fields.html", {"facets": facets()}),
    )
