"""The benchmarked pages: each as the site serves it and as its peer, Datasette, does."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

# Page parameters, the same at every size: a leaf theme (so "theme" means the same in both
# servers: no sub-themes to fold in), a region, and a specific search.
DEFAULT_THEME = "health-workforce"
DEFAULT_REGION = "africa"
DEFAULT_QUERY = "brain drain"
DETAIL_SLUG = "malawi-health-worker-retention"
# The reader of the longest document (the 400 KB Brussels report): its first page (with the
# contents and the by-kind table), a page from the middle of the roundtables (many passages cited
# by many kinds of record), and a search within it. Datasette has no equivalent page.
READER_SLUG = "brussels-report"
READER_PAGE = 9
READER_QUERY = "remittances"
FACET_ARRAYS = ["themes", "regions", "countries", "sessions", "rcps"]
FACET_COLUMNS = ["scope", "type"]


@dataclass
class Page:
    name: str
    label: str
    ours: str
    peer: str | None


def pages(theme: str, region: str, query: str, detail_id: int) -> list[Page]:
    filters = urlencode({"theme": theme, "region": region})
    peer_filters = urlencode({"themes__arraycontains": theme, "regions__arraycontains": region})
    facets = "&".join(
        [f"_facet_array={name}" for name in FACET_ARRAYS]
        + [f"_facet={name}" for name in FACET_COLUMNS]
    )
    q = quote(query)
    return [
        Page("home", "home page", "/", "/"),
        Page(
            "list_html",
            "practice list, 2 facets applied, facet counts (HTML)",
            f"/practices/?{filters}",
            f"/bench/practices?{peer_filters}&{facets}&_sort=title&_size=20",
        ),
        Page(
            "list_api",
            "practice list, 2 facets applied (API JSON)",
            f"/api/v1/practices/?{filters}",
            f"/bench/practices.json?{peer_filters}&_sort=title&_size=25",
        ),
        Page(
            "facets_api",
            "facet counts, 2 facets applied (API JSON)",
            f"/api/v1/practices/facets/?{filters}",
            f"/bench/practices.json?{peer_filters}&{facets}&_size=0",
        ),
        Page(
            "search_html",
            "full-text search (HTML)",
            f"/search/?q={q}",
            f"/bench/practices?_search={q}&_size=20",
        ),
        Page(
            "search_api",
            "full-text search, all kinds (API JSON)",
            f"/api/v1/search/?q={q}",
            f"/bench/practices.json?_search={q}&_size=10",
        ),
        Page(
            "practice_search_api",
            "practice search (API JSON)",
            f"/api/v1/practices/?q={q}",
            f"/bench/practices.json?_search={q}&_size=25",
        ),
        Page(
            "detail_html",
            "practice detail page",
            f"/practices/{DETAIL_SLUG}/",
            f"/bench/practices/{detail_id}",
        ),
        Page("reader_html", "source reader, first page", f"/sources/{READER_SLUG}/", None),
        Page(
            "reader_page_html",
            f"source reader, page {READER_PAGE}",
            f"/sources/{READER_SLUG}/?page={READER_PAGE}",
            None,
        ),
        Page(
            "reader_search_html",
            "source reader, search within the document",
            f"/sources/{READER_SLUG}/?q={READER_QUERY}",
            None,
        ),
    ]
