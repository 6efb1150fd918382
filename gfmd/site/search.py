"""One search across practices, recommendations, sessions, RCPs, organisations and countries,
used by the search page and the API's search endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib.postgres.search import SearchHeadline
from django.core.exceptions import ValidationError
from django.db.models import F

from gfmd.lib.filters import NOT_UTF8, REPLACEMENT_CHARACTER, ChoicesField, EveryValueCheckedForm
from gfmd.lib.search import CONFIG, clean_query, folded, search_query
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
MAX_QUERY = 200


class SearchTextField(forms.CharField):
    """The words to find: at most 200 characters of valid text."""

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_QUERY:
            raise ValidationError(f"the search is too long: use at most {MAX_QUERY} characters.")
        if "\x00" in value:
            raise ValidationError("the search cannot contain NUL characters.")
        if REPLACEMENT_CHARACTER in value:
            raise ValidationError(NOT_UTF8)


class SearchForm(EveryValueCheckedForm):
    """The search's parameters, checked the same way for the search page and the search API (the
    page shows an empty search box without `q`; the API needs it)."""

    q = SearchTextField(help_text="Words to find; websearch syntax.")
    kind = ChoicesField(
        choices=[(kind, label) for kind, label, *_ in KINDS],
        required=False,
        help_text="Limit to these kinds of record.",
    )
    per_kind = forms.IntegerField(
        min_value=1, max_value=50, required=False, help_text="Hits shown per kind (default 10)."
    )

    def __init__(self, data, *, require_query: bool = True):
        super().__init__(data)
        self.fields["q"].required = require_query

    def search(self) -> tuple[str, list[str] | None, int]:
        """(text, kinds or None for all, hits per kind) of a valid form."""
        data = self.cleaned_data
        return data["q"], sorted(data.get("kind") or []) or None, data.get("per_kind") or 10

    def has_query(self) -> bool:
        return bool(clean_query(self.cleaned_data.get("q") or ""))


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
        for hit in hits:
            hit.kind, hit.plain_title = kind, getattr(hit, title_field)
        groups.append(Group(kind, label, total, hits))
    return groups
