"""The knowledge base's data version: a number PostgreSQL raises whenever a transaction that
changed any curated table commits, so that cached results (facet counts, totals, ETags) can be
keyed by it and are never served after the data they came from has changed.

How it works, in the database itself, so that every write counts (the admin, the API, the loader,
`synthesize`, a `psql` session):

* every table of the knowledge base's apps has a statement-level trigger that, the first time a
  transaction writes to any of them, records that in a transaction-local setting and inserts one
  row into `gfmd_datachange`;
* that row's deferred constraint trigger fires when the transaction commits and raises the single
  counter in `gfmd_dataversion`. The counter's row is locked only while committing, so writers
  do not queue behind one another and cannot deadlock on it;
* the first time a transaction writes to each table, one more row (naming the table) raises that
  table's own counter in `gfmd_tableversion` at commit, after the single counter (whose lock
  orders committing writers, so two of them never wait on each other's table counters).

A result that depends on a few tables only (the ids of a filtered list, the vocabulary) is cached
under those tables' counters (`cached(..., tables=...)`; `tables_read(queryset)` names the tables
a queryset's SQL reads), so an edit elsewhere leaves it in place; anything else is cached under
the single counter, which every committed write raises.

A reader asks `current()` once per request. Inside a transaction that has itself written (a test,
or a view that saves and then reads), `current()` is None: that transaction's uncommitted state
is nobody else's, so nothing it computes may be cached. A value computed under version N reflects
the data of version N or later, never earlier: the version is read before the data is.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.utils import translation

APPS = ("gfmd", "roundtables", "practices", "rcps")
SETTING = "gfmd.changed_in"
# One transaction-local setting per table written: "gfmd.changed_<table>".
TABLE_SETTING = "gfmd.changed_"
T = TypeVar("T")

FUNCTIONS_SQL = f"""
CREATE OR REPLACE FUNCTION gfmd_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tx text := txid_current()::text;
    mark text := '{TABLE_SETTING}' || TG_TABLE_NAME;
BEGIN
    IF current_setting('{SETTING}', true) IS DISTINCT FROM tx THEN
        PERFORM set_config('{SETTING}', tx, true);
        INSERT INTO gfmd_datachange (txid, tablename) VALUES (tx::bigint, NULL);
    END IF;
    IF current_setting(mark, true) IS DISTINCT FROM tx THEN
        PERFORM set_config(mark, tx, true);
        INSERT INTO gfmd_datachange (txid, tablename) VALUES (tx::bigint, TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION gfmd_raise_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    raised bigint;
BEGIN
    IF NEW.tablename IS NULL THEN
        UPDATE gfmd_dataversion SET value = value + 1 WHERE id = 1 RETURNING value INTO raised;
        INSERT INTO gfmd_dataversioncommit (txid, version) VALUES (NEW.txid, raised)
            ON CONFLICT (txid) DO NOTHING;
    ELSE
        INSERT INTO gfmd_tableversion (name, value) VALUES (NEW.tablename, 1)
            ON CONFLICT (name) DO UPDATE SET value = gfmd_tableversion.value + 1;
    END IF;
    DELETE FROM gfmd_datachange
        WHERE txid = NEW.txid AND tablename IS NOT DISTINCT FROM NEW.tablename;
    RETURN NULL;
END $$;
"""

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS gfmd_dataversion (
    id smallint PRIMARY KEY CHECK (id = 1),
    value bigint NOT NULL
);
INSERT INTO gfmd_dataversion (id, value) VALUES (1, 1) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS gfmd_tableversion (name text PRIMARY KEY, value bigint NOT NULL);
CREATE UNLOGGED TABLE IF NOT EXISTS gfmd_datachange (txid bigint NOT NULL);
ALTER TABLE gfmd_datachange ADD COLUMN IF NOT EXISTS tablename text;
-- Which data version each committed writing transaction made: the change log's versions.
CREATE TABLE IF NOT EXISTS gfmd_dataversioncommit (
    txid bigint PRIMARY KEY,
    version bigint NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS gfmd_dataversioncommit_version ON gfmd_dataversioncommit (version);
DROP TRIGGER IF EXISTS gfmd_datachange_commit ON gfmd_datachange;
CREATE CONSTRAINT TRIGGER gfmd_datachange_commit AFTER INSERT ON gfmd_datachange
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION gfmd_raise_version();
"""

DROP_SQL = """
DROP TABLE IF EXISTS gfmd_datachange;
DROP TABLE IF EXISTS gfmd_dataversion;
DROP TABLE IF EXISTS gfmd_tableversion;
DROP TABLE IF EXISTS gfmd_dataversioncommit;
DROP FUNCTION IF EXISTS gfmd_raise_version();
DROP FUNCTION IF EXISTS gfmd_note_change() CASCADE;
"""

TRIGGER = "gfmd_data_changed"


def tracked_tables() -> list[str]:
    """Every table of the knowledge base: its models, their many-to-many tables and their
    history tables, not the loader's own log. History is tracked so that the transaction that
    wrote a historical row always commits a data version of its own, which the change log
    reports (a save outside a transaction writes the row and its history in two)."""
    tables = set()
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            meta = model._meta
            if not meta.managed or meta.proxy:
                continue
            if meta.db_table in {"gfmd_fixtureload"}:
                continue
            tables.add(meta.db_table)
    return sorted(tables)


def install(using: str = "default") -> None:
    """Create the counter and (again) the trigger on every tracked table. Idempotent; run after
    every `migrate`, so that tables added later are tracked too."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        cursor.execute(SCHEMA_SQL)
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        )
        existing = {row[0] for row in cursor.fetchall()}
        for table in tracked_tables():
            if table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"CREATE OR REPLACE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                f" ON {quoted} FOR EACH STATEMENT EXECUTE FUNCTION gfmd_note_change()"
            )


def installed(using: str = "default") -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass('gfmd_dataversion') IS NOT NULL")
        return cursor.fetchone()[0]


class Versions:
    """The committed counters read at one moment: the single one and each table's own."""

    def __init__(self, total: int, tables: dict[str, int]):
        self.total, self.tables = total, tables

    def stamp(self, tables: tuple[str, ...] | None = None) -> str:
        """The part of a cache key that changes when any of `tables` (None: any table) does."""
        if tables is None:
            return str(self.total)
        values = repr([(name, self.tables.get(name, 0)) for name in sorted(set(tables))])
        return "t" + hashlib.blake2b(values.encode(), digest_size=10).hexdigest()


def current_versions(using: str | None = None) -> Versions | None:
    """The committed counters (one query), or None inside a transaction that has written data
    itself."""
    alias = using or router.db_for_read(None)
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT value, coalesce(current_setting(%s, true), '') = "
            "coalesce(txid_current_if_assigned()::text, '-'), "
            "(SELECT coalesce(json_object_agg(name, value), '{}') FROM gfmd_tableversion)::text"
            " FROM gfmd_dataversion WHERE id = 1",
            [SETTING],
        )
        row = cursor.fetchone()
    if row is None or row[1]:
        return None
    return Versions(row[0], json.loads(row[2]))


def current(using: str | None = None) -> int | None:
    """The committed data version, or None inside a transaction that has written data itself."""
    versions = current_versions(using)
    return None if versions is None else versions.total


def request_versions(request) -> Versions | None:
    """`current_versions()`, read at most once per request."""
    if not hasattr(request, "_gfmd_data_versions"):
        request._gfmd_data_versions = current_versions()
    return request._gfmd_data_versions


def request_version(request) -> int | None:
    """`current()`, read at most once per request."""
    versions = request_versions(request)
    return None if versions is None else versions.total


_QUOTED = re.compile(r'"([a-z0-9_]+)"')


def tables_read(queryset) -> tuple[str, ...] | None:
    """The tracked tables whose rows `queryset`'s SQL reads (its joins and subqueries), for
    `cached(..., tables=...)`; None (depend on every table) when it reads a table of the
    project's models that the counters do not follow."""
    try:
        sql, _ = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # .none(): no SQL to read
        return None
    tracked = set(_tracked())
    known = _model_tables()
    named = {name for name in _QUOTED.findall(sql) if name in known}
    if not named or not named <= tracked:
        return None
    return tuple(sorted(named))


@functools.cache
def _tracked() -> tuple[str, ...]:
    return tuple(tracked_tables())


@functools.cache
def _model_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in apps.get_models(include_auto_created=True))


def cache_key(name: str, version: int | str, *parts) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f"kb:{name}:{version}:{digest}"


# The last value of each `cached(..., memo=True)` name this process read, with its key.
_memo: dict[str, tuple[str, object]] = {}


def cached(
    request,
    name: str,
    parts: tuple,
    compute: Callable[[], T],
    timeout: int = 86400,
    tables: tuple[str, ...] | None = None,
    memo: bool = False,
) -> T:
    """`compute()`, cached under the data version: recomputed once the data has changed.

    `parts` must name everything else the result depends on (the filters, the page). With
    `tables`, only a committed write to one of those tables recomputes it: name every table the
    result is read from (`tables_read`). Whether synthetic records are served is part of every
    key, so two servers of one cache that differ in that never share results, and so is the active
    language.

    With `memo`, the process also keeps the last value read under `name` (with its key, so a
    new version is still read afresh): for a large value that most requests read, such as an
    index, which the shared cache would otherwise unpickle on every request. The caller must
    not change the value it gets."""
    versions = request_versions(request) if request is not None else current_versions()
    if versions is None:
        return compute()
    # The language too: a result may hold interface text (labels, rendered HTML).
    key = cache_key(
        name,
        versions.stamp(tables),
        settings.GFMD_SERVE_SYNTHETIC,
        translation.get_language(),
        *parts,
    )
    if memo:
        kept = _memo.get(name)
        if kept is not None and kept[0] == key:
            return kept[1]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    if memo:
        _memo[name] = (key, value)
    return value


def query_key(request, ignore: tuple[str, ...] = ("page", "page_size", "format")) -> tuple:
    """The request's query parameters (every value, in order), without those that only choose
    a page or a format of the same results."""
    return tuple(sorted((k, tuple(v)) for k, v in request.GET.lists() if k not in ignore))


class CachedIdList:
    """A filtered, ordered queryset whose ids are computed once per data version; a page of it
    is then one query by primary key (plus the queryset's prefetches) however costly the filter,
    the count or the sort. Django's Paginator and DRF's pagination take it as a list."""

    ordered = True

    def __init__(self, ids: list[int], rows):
        self.ids = ids
        self.rows = rows.order_by()

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        chunk = self.ids[index]
        by_id = {row.pk: row for row in self.rows.filter(pk__in=chunk)} if chunk else {}
        # A record deleted since is left out rather than failing the page.
        return [by_id[pk] for pk in chunk if pk in by_id]

    def __iter__(self):
        size = 500
        for start in range(0, len(self.ids), size):
            yield from self[start : start + size]


# Lists longer than this are paged by the database itself: their ids would be large to keep, and
# a list that long is the whole table or most of it, which an index on the sort order serves.
MAX_CACHED_IDS = 20000
TOO_MANY = "too many"


def cached_ids(request, name: str, queryset, rows, filterset=None):
    """`queryset`'s ids in its order, cached under the data version and the request's filters,
    as a list whose pages are fetched from `rows` (the unfiltered queryset with its prefetches).
    A result longer than MAX_CACHED_IDS is returned as `queryset` itself, its count cached.

    Given the `filterset` that made `queryset`, the ids are kept until a table they are read
    from changes (the tables of the SQL, and those the filters looked their values up in);
    without it, until any table does."""

    def compute():
        ids = list(queryset.values_list("pk", flat=True)[: MAX_CACHED_IDS + 1])
        return ids if len(ids) <= MAX_CACHED_IDS else TOO_MANY

    tables = None
    if filterset is not None:
        tables = _union(tables_read(queryset), filter_tables(filterset))
    ids = cached(request, f"{name}:ids", query_key(request), compute, tables=tables)
    if ids != TOO_MANY:
        return CachedIdList(ids, rows)
    total = cached(request, f"{name}:count", query_key(request), queryset.count, tables=tables)
    return CountedQuerySet(queryset, total)


def filter_tables(filterset) -> tuple[str, ...] | None:
    """The tables a bound FilterSet read its given values' choices from (a theme's slug, a
    country's code), which the SQL of its queryset may only show as ids; None when one of them
    is not known. A filter whose method reads a table in Python, rather than in the SQL it adds,
    must have that table's rows as its `queryset`."""
    tables: tuple[str, ...] = ()
    data = filterset.data or {}
    for name, field in filterset.filters.items():
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        if not any(values):
            continue
        choices = getattr(field, "queryset", None)
        if choices is None:
            continue
        if callable(choices):
            return None
        tables = _union(tables, tables_read(choices))
        if tables is None:
            return None
    return tables


def _union(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if a is None or b is None:
        return None
    return tuple(sorted(set(a) | set(b)))


class CountedQuerySet:
    """A queryset whose count is already known (Paginator asks `count()`, then slices)."""

    ordered = True

    def __init__(self, queryset, total: int):
        self.queryset, self.total = queryset, total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        return self.queryset[index]

    def __iter__(self):
        return iter(self.queryset)
