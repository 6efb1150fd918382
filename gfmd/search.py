"""Full-text search on plain PostgreSQL, accent- and case-insensitive.

The embedded server has neither `unaccent` nor `pg_trgm`, so accents are folded with PostgreSQL's
immutable `translate()` on the indexed side and with the same table in Python on the query side:
"Soderkoping" finds "Söderköping". Stemming comes from the `english` configuration, so
"remittance" finds "remittances"; `websearch` syntax gives quoted phrases, `or` and `-word`.
"""

from __future__ import annotations

import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Coalesce

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
    """SQL: the text of `expression` with accents folded (immutable, usable in an index)."""
    if isinstance(expression, str):
        expression = F(expression)
    return Func(
        Coalesce(expression, Value(""), output_field=TextField()),
        Value(ACCENTED),
        Value(PLAIN),
        function="translate",
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


class SearchableQuerySet:
    """Mixin for querysets of models that declare `search_weights`: {field: weight}."""

    def search(self, text: str):
        query = search_query(text)
        if not clean_query(text):
            return self.none()
        vector = weighted_vector(self.model.search_weights)
        return (
            self.annotate(search_vector=vector)
            .filter(search_vector=query)
            .annotate(search_rank=SearchRank(F("search_vector"), query))
            .order_by("-search_rank", *self.model._meta.ordering)
        )
