"""Full-text search on plain PostgreSQL, accent- and case-insensitive.

The embedded server has neither `unaccent` nor `pg_trgm`, so accents are folded with PostgreSQL's
immutable `translate()` on the indexed side and with the same table in Python on the query side:
"Soderkoping" finds "Söderköping". Stemming comes from the `english` configuration, so
"remittance" finds "remittances"; `websearch` syntax gives quoted phrases, `or` and `-word`.
"""

from __future__ import annotations

import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Case, F, FloatField, Func, TextField, Value, When
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import GreaterThan

CONFIG = "english"

# Accented letters of the Latin scripts the documents use, and their plain forms. The two strings
# must stay the same length: translate() maps character to character.
ACCENTED = (
    "ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčĎďĐđÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħÌÍÎÏìíîïĨĩĪīĬĭĮįİı"
    "ĴĵĶķĹĺĻļĽľĿŀŁłÑñŃńŅņŇňÒÓÔÕÖØòóôõöøŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŧÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų"
    "ŴŵÝýÿŶŷŸŹźŻżŽž"
)
PLAIN = (
    "AAAAAAaaaaaaAaAaAaCcCcCcCcCcDdDdEEEEeeeeEeEeEeEeEeGgGgGgGgHhHhIIIIiiiiIiIiIiIiIi"
    "JjKkLlLlLlLlLlNnNnNnNnOOOOOOooooooOoOoOoRrRrRrSsSsSsSsTtTtTtUUUUuuuuUuUuUuUuUuUu"
    "WwYyyYyYZzZzZz"
)
assert len(ACCENTED) == len(PLAIN)
_TABLE = str.maketrans(ACCENTED, PLAIN)


def fold(text: str) -> str:
    """Fold accents the way the database does, and any others by Unicode decomposition."""
    text = text.translate(_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def folded(expression):
    """SQL: the text of `expression` with accents folded (immutable, usable in an index).

    translate() looks each character up in ACCENTED one by one: over a practice's text it costs
    about seven times as much as the search vector itself. So it runs only on text that has a
    character beyond ASCII (more bytes than characters), which leaves the same result."""
    if isinstance(expression, str):
        expression = F(expression)
    text = Coalesce(expression, Value(""), output_field=TextField())
    return Case(
        When(
            GreaterThan(Func(text, function="octet_length"), Length(text)),
            then=Func(
                text, Value(ACCENTED), Value(PLAIN), function="translate", output_field=TextField()
            ),
        ),
        default=text,
        output_field=TextField(),
    )


def weighted_vector(weights: dict[str, str]) -> SearchVector:
    """A search vector over fields, each with its weight: {"title": "A", "summary": "B"}."""
    vectors = [
        SearchVector(folded(name), weight=weight, config=CONFIG) for name, weight in weights.items()
    ]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def clean_query(text: str) -> str:
    """The user's words, accent-folded, without characters PostgreSQL rejects."""
    text = fold(text.replace("\x00", " "))
    return " ".join(text.split())[:200]


def search_query(text: str) -> SearchQuery:
    return SearchQuery(clean_query(text), search_type="websearch", config=CONFIG)


def rank(vector, query: SearchQuery) -> SearchRank:
    return SearchRank(vector, query)


# How many matches are ranked. A query matching more records than this (a common word over a
# large table) ranks the first this many the GIN index returns and lists the rest after them in
# the model's order, rather than reading and ranking the vector of every match before a page.
# Every match is still found and counted; the order is exact whenever the matches are fewer.
SEARCH_CANDIDATES = 1000


class SearchableQuerySet:
    """Mixin for querysets of models with a stored `search` vector (see `search_field`)."""

    def search(self, text: str, candidates: int | None = None):
        """The records matching `text`, by `search_rank` (then the model's order), the match
        served by the GIN index on `search`; only `candidates` of them (SEARCH_CANDIDATES by
        default) are ranked, the others after them with a rank of 0."""
        if not clean_query(text):
            return self.none()
        query = search_query(text)
        limit = SEARCH_CANDIDATES if candidates is None else candidates
        matches = self.filter(search=query)
        ranked = matches.order_by().values("pk")[:limit]
        return matches.annotate(
            search_rank=Case(
                When(pk__in=ranked, then=SearchRank(F("search"), query)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        ).order_by("-search_rank", *self.model._meta.ordering)


def search_field(weights: dict[str, str]):
    """The stored, weighted, accent-folded search vector of a model, kept current by PostgreSQL
    itself (a generated column), for a GIN index to serve `SearchableQuerySet.search()`."""
    from django.contrib.postgres.search import SearchVectorField
    from django.db import models

    return models.GeneratedField(
        expression=weighted_vector(weights),
        output_field=SearchVectorField(),
        db_persist=True,
        editable=False,
    )


class SearchableManager:
    """Manager mixin: lists never fetch the search vector, which only the database reads."""

    def get_queryset(self):
        return super().get_queryset().defer("search")


def vocabulary_sources() -> list[tuple[str, tuple[str, ...], object]]:
    """Where the vocabulary for "did you mean" comes from: the very fields each searchable model
    indexes (its `search_weights`), so that a word a search can find is never "corrected", of
    the records the public can see: published ones (the queryset's `published()`, where the
    model has one), never generated benchmark rows. Each source: table, columns, queryset."""
    from django.apps import apps

    from gfmd.lib.models import has_synthetic

    sources = []
    for model in apps.get_models():
        weights = getattr(model, "search_weights", None)
        if not weights:
            continue
        rows = model._default_manager.all()
        if hasattr(rows, "published"):
            rows = rows.published()
        if has_synthetic(model):
            rows = rows.filter(synthetic=False)
        columns = tuple(model._meta.get_field(name).column for name in weights)
        rows = rows.order_by().values_list(*weights)
        sources.append((model._meta.db_table, columns, rows))
    return sorted(sources, key=lambda source: source[0])


VOCABULARY_CACHE_KEY = "search:vocabulary"
VOCABULARY_SECONDS = 86400
# The last vocabulary this process read, with the stamp of the tables it came from.
_vocabulary_memo: tuple[str, dict[str, int]] | None = None


def vocabulary(request=None) -> dict[str, int]:
    """Every word of the knowledge base (accent-folded, lower case) with how many records use
    it, counted by PostgreSQL's ts_stat over the 'simple' configuration (no stemming). Generated
    benchmark rows (a `synthetic` column) are left out: they are not the knowledge base.

    Each table's words are kept under that table's counter (gfmd.lib.data_version): an edit is
    in the next answer's vocabulary, and only the edited table's words are read again. Inside a
    transaction that has written, everything is read afresh."""
    global _vocabulary_memo
    from gfmd.lib import data_version

    sources = vocabulary_sources()
    versions = (
        data_version.request_versions(request)
        if request is not None
        else data_version.current_versions()
    )
    if versions is None:
        return _merge(_read_vocabulary([source]) for source in sources)
    stamp = versions.stamp(tuple(table for table, _, _ in sources))
    if _vocabulary_memo is not None and _vocabulary_memo[0] == stamp:
        return _vocabulary_memo[1]
    words = _merge(_cached_part(source, versions.stamp((source[0],))) for source in sources)
    _vocabulary_memo = (stamp, words)
    return words


def _cached_part(source, stamp: str) -> dict[str, int]:
    from django.core.cache import cache

    key = f"{VOCABULARY_CACHE_KEY}:{source[0]}:{stamp}"
    words = cache.get(key)
    if words is None:
        words = _read_vocabulary([source])
        cache.set(key, words, VOCABULARY_SECONDS)
    return words


def _merge(parts) -> dict[str, int]:
    """The words of several tables, each with the records of all of them that use it."""
    words: dict[str, int] = {}
    for part in parts:
        for word, count in part.items():
            words[word] = words.get(word, 0) + count
    return words


def _read_vocabulary(sources) -> dict[str, int]:
    from django.db import connection

    parts = []
    params: list = []
    for _table, columns, rows in sources:
        text = " || ' ' || ".join(f"coalesce(\"{column}\", '')" for column in columns)
        rows_sql, rows_params = rows.query.sql_with_params()
        parts.append(
            f"SELECT to_tsvector('simple', translate({text}, %s, %s)) FROM ({rows_sql}) AS rows"
        )
        params += [ACCENTED, PLAIN, *rows_params]
    sql = "SELECT word, ndoc FROM ts_stat(%s) WHERE length(word) > 2 AND word ~ '^[a-z]+$'"
    inner = " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        inner_sql = cursor.mogrify(inner, params)
        if isinstance(inner_sql, bytes):
            inner_sql = inner_sql.decode()
        cursor.execute(sql, [inner_sql])
        return dict(cursor.fetchall())


def suggest(text: str, request=None) -> str | None:
    """A corrected query when some of its words are unknown to the knowledge base and a close,
    common word exists ("remitances" -> "remittances"); None when nothing better is known.
    Given the request, the vocabulary's freshness is checked with the data version it read."""
    import difflib
    import re

    words = vocabulary(request)
    if not words:
        return None
    changed = False
    corrected = []
    for token in re.findall(r"[\w'-]+|\S", clean_query(text)):
        plain = token.lower()
        if not plain.isalpha() or plain in words or plain in {"or", "and"} or len(plain) < 4:
            corrected.append(token)
            continue
        close = difflib.get_close_matches(plain, words.keys(), n=5, cutoff=0.75)
        if close:
            best = max(
                close, key=lambda w: (difflib.SequenceMatcher(None, plain, w).ratio(), words[w])
            )
            corrected.append(best)
            changed = True
        else:
            corrected.append(token)
    return " ".join(corrected) if changed else None


def searchable_manager(queryset_class):
    """A manager for `queryset_class` that defers the search vector."""
    from django.db import models

    base = models.Manager.from_queryset(queryset_class)
    return type(f"{queryset_class.__name__}Manager", (SearchableManager, base), {})()
