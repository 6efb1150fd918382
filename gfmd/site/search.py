"""One search across practices, recommendations, sessions, RCPs, organisations and countries,
used by the search page and the API's search endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline
from django.db.models import F

from gfmd.lib.search import CONFIG, folded, search_query
from gfmd.models import Country, Organisation
from practices.models import Practice
from rcps.models import RCP
from roundtables.models import Recommendation, Session


@dataclass
class Group:
    kind: str
    label: str
    total: int
    hits: list = field(default_factory=list)


# kind, label, queryset factory, title field, field the snippet is cut from
KINDS = (
    ("practice", "Practices", lambda: Practice.objects.published(), "title", "summary"),
    (
        "recommendation",
        "Recommendations",
        lambda: Recommendation.objects.published().select_related("session", "horizontal_issue"),
        "title",
        "text",
    ),
    ("session", "Sessions", lambda: Session.objects.all(), "title", "summary"),
    ("rcp", "Regional consultative processes", lambda: RCP.objects.all(), "name", "narrative"),
    ("organisation", "Organisations", lambda: Organisation.objects.all(), "name", "description"),
    ("country", "Countries", lambda: Country.objects.all(), "name", "subregion"),
)
KIND_NAMES = [kind for kind, *_ in KINDS]


def search_all(text: str, *, kinds: list[str] | None = None, per_kind: int = 10) -> list[Group]:
    """Two queries a kind: the count and the best hits with a highlighted snippet."""
    query = search_query(text)
    groups = []
    for kind, label, factory, title_field, body_field in KINDS:
        if kinds and kind not in kinds:
            continue
        matches = factory().search(text)
        total = matches.count()
        hits = []
        if total:
            hits = list(
                matches.annotate(
                    snippet=SearchHeadline(
                        folded(body_field),
                        query,
                        config=CONFIG,
                        start_sel="<mark>",
                        stop_sel="</mark>",
                        max_words=30,
                        min_words=12,
                    ),
                    heading=SearchHeadline(
                        F(title_field),
                        query,
                        config=CONFIG,
                        start_sel="<mark>",
                        stop_sel="</mark>",
                        highlight_all=True,
                    ),
                )[:per_kind]
            )
        groups.append(Group(kind, label, total, hits))
    return groups
