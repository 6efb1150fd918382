"""Facet counts of a filtered list, by the disjunctive rule: each facet's counts are computed with
every other facet's filters applied but not its own, so that the number beside a value is what
ticking it would give (values within a facet combine with OR). A selected value stays listed,
with its count, even when that count is zero.

The table of facets is read from the FilterSet's own declarations, so a facet and its filter
cannot drift apart. One grouped query per facet, whatever the page size or the list's length."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.template.loader import render_to_string

from gfmd.lib.data_version import cached, query_key
from gfmd.lib.review import published_condition


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


def filtered_without(filterset, base, omit: str):
    """`base` narrowed by every filter of the (validated) `filterset` but `omit` and the sort."""
    data = getattr(filterset.form, "cleaned_data", None) or {}
    qs = base
    for name, declared in filterset.filters.items():
        if name == omit or name == "ordering" or name not in data:
            continue
        qs = declared.filter(qs, data[name])
    return qs


class DistinctCount(Subquery):
    """The number of distinct values of a one-column subquery."""

    template = "(SELECT count(DISTINCT _c.x) FROM (%(subquery)s) _c(x))"
    output_field = IntegerField()


def hierarchy_rows(spec: FacetSpec, filterset, records, limit: int):
    """(key, label, count) of every value of a hierarchical facet: a value counts the records
    linked to it or to a value below it (three levels), in one query."""
    declared = filterset.filters[spec.name]
    field = records.model._meta.get_field(declared.field_name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    parent = spec.parent_field
    below = (
        Q(**{target: OuterRef("pk")})
        | Q(**{f"{target}__{parent}": OuterRef("pk")})
        | Q(**{f"{target}__{parent}__{parent}": OuterRef("pk")})
    )
    links = through._default_manager.filter(below, **{f"{source}__in": records}).values(
        f"{source}_id"
    )
    key = declared.extra["to_field_name"]
    values = declared.queryset.model
    rows = (
        values._default_manager.filter(published_condition(values))
        .annotate(n=DistinctCount(links))
        .filter(n__gt=0)
        .order_by("-n", key)
        .values_list(key, *label_fields(declared), "n")[:limit]
    )
    return [(row[0], first_filled(row[1:-1]), row[-1]) for row in rows]


def facet_rows(spec: FacetSpec, filterset, records, limit: int):
    if spec.parent_field:
        return hierarchy_rows(spec, filterset, records, limit)
    model = records.model
    base = model._default_manager.filter(pk__in=records)
    choices = isinstance(spec.label_source, dict)
    fields = [spec.key] if choices else [spec.key, *spec.label_source]
    shown = Q(**{f"{spec.key}__isnull": False})
    if not choices:  # a value is a record: only one the public sees (a draft is no value)
        path = spec.key.rsplit("__", 1)[0]
        shown &= published_condition(filterset.filters[spec.name].queryset.model, f"{path}__")
    rows = (
        # Filtering before values() makes the grouping reuse this one inner join; filtering
        # after annotate() joined the relation a second time and multiplied the rows. The
        # condition of a published value is in the same filter(), on the same join.
        base.filter(shown)
        .values(*fields)
        .annotate(n=Count("pk", distinct=spec.distinct))
        .order_by("-n", spec.key)[:limit]
    )
    return [
        (
            row[spec.key],
            spec.label_source.get(str(row[spec.key]), row[spec.key])
            if choices
            else first_filled(row[field] for field in spec.label_source),
            row["n"],
        )
        for row in rows
        # A blank value (an RCP whose region the documents do not state) is no value to tick.
        if row[spec.key] != ""
    ]


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
    """The facets of `filterset` (validated) over `base` (the unfiltered list)."""
    facets = []
    for spec in table:
        records = filtered_without(filterset, base, spec.name).order_by().values("pk")
        rows = facet_rows(spec, filterset, records, limit)
        chosen = dict(selected_values(filterset, spec))
        values = []
        for key, label, count in rows:
            key = str(key)
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
