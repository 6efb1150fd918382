"""Facet counts of the practice list, by the disjunctive rule (`gfmd.lib.facets`): one grouped
query per facet, whatever the page size or the number of practices, cached under the data
version and the request's filters."""

from __future__ import annotations

from gfmd.lib import facets as lib
from gfmd.lib.facets import Facet, facet_table
from practices.filters import PracticeFilter

# The facets of the practice list, in the order shown: filters of `PracticeFilter`.
FACET_NAMES = ("theme", "region", "country", "meeting", "session", "scope", "type", "rcp")

# Facets whose key can repeat within one practice (two countries of one region; two sessions of
# one meeting; two meetings' sessions sharing a code) count distinct practices. The others count
# joined rows, which is the same number (a practice links a country or an RCP at most once) and
# lets PostgreSQL aggregate by hashing instead of sorting every joined row.
DISTINCT_COUNT = ("region", "session", "meeting")

FACETS = facet_table(PracticeFilter, FACET_NAMES, DISTINCT_COUNT)


def session_label(name: str, key: str, label: str) -> str:
    """A session is shown with its code: '1.2 Ethical recruitment …'."""
    return f"{key} {label}" if name == "session" else label


def cached_practice_facets(request, filterset, base) -> list[Facet]:
    """The facets of the practices of `base` under the request's (validated) `filterset`."""
    return lib.cached_facets(request, "practices", filterset, base, FACETS, session_label)


def cached_facet_fields(request, filterset, base) -> str:
    return lib.cached_facet_fields(
        request, "practices", lambda: cached_practice_facets(request, filterset, base)
    )
