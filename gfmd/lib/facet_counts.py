"""Every facet of a filtered list counted in one SQL statement, from the matching records read
once.

The disjunctive rule (`gfmd.lib.facets`) gives each facet its own set of records: every filter
applied but its own. Those sets differ by one filter at most, so one pass finds them all:

* `m`, a materialised common table expression: the records passing every filter that is not a
  facet (the search, the year range, the roundtable...), each with one flag per facet whose
  filter is in use saying whether the record passes it, and only the records failing at most one
  of those filters;
* one grouped scan of `m` per facet (joined to the facet's link table for a many-to-many
  relation), counting the records whose flags pass every facet filter but the facet's own;
* the facets' rows combined with UNION ALL, so that the page pays one round trip.

Each flag is the very WHERE clause the FilterSet's own filter adds (a semi-join on a link table,
a column compared with the chosen values), so a facet cannot count differently from its filter.
A facet this module cannot read from `m` (a key reached through a foreign key of the records, as
a recommendation's session) is counted by the ORM over the records of `m`, in the same
statement."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.db.models.expressions import RawSQL

from gfmd.lib.review import published_condition

ID = "facet_id"


class NotCountable(Exception):
    """The filters cannot be read as flags of one pass (the caller counts facet by facet)."""


def _flag(model, declared, value):
    """The WHERE clause `declared` adds to the list given `value`, as a boolean expression over
    the records' table; None when it adds nothing."""
    everything = model._default_manager.all()
    narrowed = declared.filter(everything, value)
    query = narrowed.query
    if narrowed is everything or not query.where.children:
        return None
    if len(query.alias_map) > 1:
        # The filter joined another table: compare the ids rather than reuse its clause.
        return ExpressionWrapper(
            Q(pk__in=narrowed.order_by().values("pk")), output_field=BooleanField()
        )
    return ExpressionWrapper(query.where, output_field=BooleanField())


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def _m2m(model, path: str):
    """The concrete many-to-many field that `path` starts with, and the rest of the path."""
    first, _, rest = path.partition("__")
    try:
        field = model._meta.get_field(first)
    except Exception:
        return None, ""
    if field.many_to_many and field.concrete and rest:
        return field, rest
    return None, ""


def _local_column(model, path: str):
    """The column of a field of the records themselves, or None."""
    if "__" in path:
        return None
    try:
        field = model._meta.get_field(path)
    except Exception:
        return None
    if field.is_relation or not field.concrete:
        return None
    return field


class Statement:
    """The facets' one statement, built piece by piece: each piece an SQL text and its
    parameters."""

    def __init__(self, filterset, base, table, limit: int):
        self.filterset, self.base, self.table, self.limit = filterset, base, table, limit
        self.model = base.model
        self.connection = connections[base.db]
        self.data = getattr(filterset.form, "cleaned_data", None) or {}
        self.flags: dict[str, str] = {}  # facet name -> flag column of `m`
        self.columns: dict[str, str] = {}  # field path -> column of `m`

    def matches(self) -> tuple[str, list]:
        """The SQL of `m`: the records passing every filter that is not a facet, their flags."""
        names = {spec.name for spec in self.table}
        core = self.base
        for name, declared in self.filterset.filters.items():
            if name in names or name == "ordering" or name not in self.data:
                continue
            core = declared.filter(core, self.data[name])
        annotations = {ID: F("pk")}
        for spec in self.table:
            if spec.name not in self.data:
                continue
            flag = _flag(self.model, self.filterset.filters[spec.name], self.data[spec.name])
            if flag is not None:
                column = f"facet_flag_{len(self.flags)}"
                self.flags[spec.name] = column
                annotations[column] = flag
        for spec in self.table:
            if spec.parent_field or _m2m(self.model, spec.key)[0] is not None:
                continue
            paths = [spec.key]
            if not isinstance(spec.label_source, dict):
                paths += list(spec.label_source)
            if all(_local_column(self.model, path) for path in paths):
                for path in paths:
                    if path not in self.columns:
                        column = f"facet_col_{len(self.columns)}"
                        self.columns[path] = column
                        annotations[column] = F(path)
        rows = core.order_by().annotate(**annotations).values(*annotations)
        try:
            sql, params = rows.query.sql_with_params()
        except FullResultSet:
            raise NotCountable from None
        flags = [f"coalesce({_quote(self.connection, c)}, false)" for c in self.flags.values()]
        if len(flags) > 1:
            failed = " + ".join(f"(NOT {flag})::int" for flag in flags)
            # OFFSET 0 keeps PostgreSQL from copying each flag's subquery into this condition.
            sql = f"SELECT * FROM ({sql} OFFSET 0) AS core WHERE {failed} <= 1"
        return sql, list(params)

    def condition(self, name: str) -> str:
        """SQL over `m`: the record passes every facet filter in use but `name`'s."""
        parts = [
            f"coalesce(m.{_quote(self.connection, column)}, false)"
            for other, column in self.flags.items()
            if other != name
        ]
        return " AND ".join(parts) or "true"

    def records(self, name: str) -> RawSQL:
        """The ids of `m` that `name`'s facet counts, for `__in`."""
        return RawSQL(f"SELECT m.{ID} FROM m WHERE {self.condition(name)}", ())

    def facet(self, spec) -> tuple[str, list, int]:
        """The SQL of one facet's rows (key, labels..., count), the parameters and the number
        of label columns."""
        if spec.parent_field:
            return self.hierarchy(spec)
        field, rest = _m2m(self.model, spec.key)
        choices = isinstance(spec.label_source, dict)
        paths = [spec.key] if choices else [spec.key, *spec.label_source]
        if field is None and spec.key in self.columns:
            return self.local(spec, paths)
        if field is not None:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            prefix = f"{field.name}__"
            rows = through._default_manager.filter(**{f"{source}__in": self.records(spec.name)})
            paths = [f"{target}__{p.removeprefix(prefix)}" for p in paths]
            count = Count(source, distinct=spec.distinct)
        else:
            rows = self.model._default_manager.filter(pk__in=self.records(spec.name))
            count = Count("pk", distinct=spec.distinct)
        key = paths[0]
        shown = Q(**{f"{key}__isnull": False})
        if not choices:  # a value is a record: only one the public sees (a draft is no value)
            value_model = self.filterset.filters[spec.name].queryset.model
            shown &= published_condition(value_model, f"{key.rsplit('__', 1)[0]}__")
        rows = rows.filter(shown).values(*paths).annotate(n=count).order_by("-n", key)[: self.limit]
        sql, params = rows.query.sql_with_params()
        return sql, list(params), len(paths) - 1

    def local(self, spec, paths) -> tuple[str, list, int]:
        """A facet on a column of the records themselves, read from `m`."""
        q = self.connection.ops.quote_name
        columns = [f"m.{q(self.columns[path])}" for path in paths]
        key = columns[0]
        n = f"count(DISTINCT m.{ID})" if spec.distinct else "count(*)"
        sql = (
            f"SELECT {', '.join(columns)}, {n} AS n FROM m "
            f"WHERE {self.condition(spec.name)} AND {key} IS NOT NULL "
            f"GROUP BY {', '.join(columns)} ORDER BY n DESC, {key} LIMIT %s"
        )
        return sql, [self.limit], len(paths) - 1

    def hierarchy(self, spec) -> tuple[str, list, int]:
        """A value of a hierarchy counts the records linked to it or to a value below it (three
        levels): each link counts for its value, the value's parent and that one's parent."""
        q = self.connection.ops.quote_name
        declared = self.filterset.filters[spec.name]
        field = self.model._meta.get_field(declared.field_name)
        through = field.remote_field.through
        values = field.related_model
        meta = values._meta
        source = through._meta.get_field(field.m2m_field_name()).column
        target = through._meta.get_field(field.m2m_reverse_field_name()).column
        parent = meta.get_field(spec.parent_field).column
        pk = meta.pk.column
        key = meta.get_field(declared.extra["to_field_name"]).column
        labels = [meta.get_field(path.split("__", 1)[1]).column for path in spec.label_source]
        # Only values the public sees are listed (a draft theme is no value to tick).
        shown, shown_params = (
            values._default_manager.filter(published_condition(values))
            .order_by()
            .values("pk")
            .query.sql_with_params()
        )
        sql = (
            f"SELECT v.{q(key)}, {', '.join(f'v.{q(c)}' for c in labels)}, a.n FROM ("
            f"SELECT up.id, count(DISTINCT l.{q(source)}) AS n "
            f"FROM {q(through._meta.db_table)} l "
            f"JOIN {q(meta.db_table)} t1 ON t1.{q(pk)} = l.{q(target)} "
            f"LEFT JOIN {q(meta.db_table)} t2 ON t2.{q(pk)} = t1.{q(parent)} "
            f"CROSS JOIN LATERAL (VALUES (t1.{q(pk)}), (t1.{q(parent)}), (t2.{q(parent)})) "
            f"AS up(id) "
            f"WHERE l.{q(source)} IN (SELECT m.{ID} FROM m WHERE {self.condition(spec.name)}) "
            f"AND up.id IS NOT NULL GROUP BY up.id) AS a "
            f"JOIN {q(meta.db_table)} v ON v.{q(pk)} = a.id "
            f"WHERE v.{q(pk)} IN ({shown}) "
            f"ORDER BY a.n DESC, v.{q(key)} LIMIT %s"
        )
        return sql, [*shown_params, self.limit], len(labels)

    def run(self) -> dict[str, list[tuple[str, str, int]]]:
        """(key, label, count) of every facet's values, by facet name, in one query."""
        try:
            matches, params = self.matches()
        except EmptyResultSet:
            return {spec.name: [] for spec in self.table}
        parts = []
        for index, spec in enumerate(self.table):
            sql, facet_params, labels = self.facet(spec)
            names = ["k", *(f"l{i}" for i in range(labels)), "n"]
            label = (
                "coalesce("
                + ", ".join(f"nullif(c.l{i}::text, '')" for i in range(labels))
                + ", '')"
                if labels
                else "''"
            )
            parts.append(
                f"SELECT {index} AS f, c.k::text AS k, {label} AS label, c.n "
                f"FROM ({sql}) AS c({', '.join(names)})"
            )
            params += facet_params
        sql = (
            f"WITH m AS MATERIALIZED ({matches}) "
            + " UNION ALL ".join(f"({part})" for part in parts)
            + " ORDER BY f, n DESC, k"
        )
        rows: dict[str, list[tuple[str, str, int]]] = {spec.name: [] for spec in self.table}
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            for index, key, label, count in cursor.fetchall():
                rows[self.table[index].name].append((key, label, count))
        return rows


def facet_counts(filterset, base, table, limit: int) -> dict[str, list[tuple[str, str, int]]]:
    """(key, label, count) of the values of every facet of `table`, by facet name, under the
    disjunctive rule, in one query; a choice's label is left empty (the caller has the
    choices). Raises NotCountable when the filters cannot be read in one pass."""
    return Statement(filterset, base, table, limit).run()
