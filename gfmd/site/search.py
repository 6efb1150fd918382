"""One search across practices, recommendations, sessions, RCPs, organisations and countries,
used by the search page and the API's search endpoint."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib.postgres.search import SearchHeadline
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gfmd.lib.filters import NOT_UTF8, REPLACEMENT_CHARACTER, ChoicesField, EveryValueCheckedForm
from gfmd.lib.search import CONFIG, clean_query, fold, folded, search_query
from gfmd.models import Country, Organisation
from gfmd.site.search_names import SYNTAX, Place, find_places, named_records
from practices.models import Practice
from rcps.models import RCP
from roundtables.models import Recommendation, Session


@dataclass
class Group:
    kind: str
    label: str
    total: int
    hits: list = field(default_factory=list)


@dataclass
class SearchResult:
    """What the search page shows: the records the query names, first; the places and
    organisations it recognised and applied as filters; then the ranked hits, by kind."""

    groups: list[Group]
    named: list = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    searched: str = ""  # the words searched, once the places are taken out
    loose: bool = False  # too few records had every word: those with most of them are shown

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def practice_where(practice) -> str:
    return ", ".join(str(country) for country in practice.countries.all()[:3])


def recommendation_where(recommendation) -> str:
    if recommendation.session_id:
        return gettext("Session %(code)s, %(meeting)s") % {
            "code": recommendation.session.code,
            "meeting": recommendation.session.meeting.title,
        }
    return str(recommendation.horizontal_issue)


# kind, label, queryset factory, title field, field the snippet is cut from, what a hit shows of
# its country or meeting
KINDS = (
    (
        "practice",
        _("Practices"),
        lambda: Practice.objects.published().prefetch_related("countries"),
        "title",
        "summary",
        practice_where,
    ),
    (
        "recommendation",
        _("Recommendations"),
        lambda: Recommendation.objects.published().select_related(
            "session__meeting", "horizontal_issue"
        ),
        "title",
        "text",
        recommendation_where,
    ),
    (
        "session",
        _("Sessions"),
        lambda: Session.objects.published().select_related("meeting"),
        "title",
        "summary",
        lambda session: (
            gettext("Session %(code)s, %(meeting)s")
            % {"code": session.code, "meeting": session.meeting.title}
        ),
    ),
    (
        "rcp",
        _("Regional consultative processes"),
        lambda: RCP.objects.published(),
        "name",
        "narrative",
        lambda rcp: rcp.get_region_display(),
    ),
    (
        "organisation",
        _("Organisations"),
        lambda: Organisation.objects.published(),
        "name",
        "description",
        lambda org: org.get_kind_display(),
    ),
    (
        "country",
        _("Countries"),
        lambda: Country.objects.all(),
        "name",
        "subregion",
        lambda country: country.subregion,
    ),
)
KIND_LABELS = {kind: label for kind, label, *_ in KINDS}
KIND_NAMES = [kind for kind, *_ in KINDS]
MAX_QUERY = 200


class SearchTextField(forms.CharField):
    """The words to find: at most 200 characters of valid text."""

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_QUERY:
            raise ValidationError(
                gettext("the search is too long: use at most %(n)s characters.") % {"n": MAX_QUERY}
            )
        if "\x00" in value:
            raise ValidationError(gettext("the search cannot contain NUL characters."))
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


class SearchPageForm(SearchForm):
    """The search page's parameters: the API's, and whether to search the words as typed (the
    page applies the countries, regions and organisations a query names as filters)."""

    as_typed = forms.BooleanField(
        required=False,
        help_text="Search the words as typed: no country, region or organisation in the query is "
        "applied as a filter.",
    )

    def words_as_typed(self) -> bool:
        return bool(self.cleaned_data.get("as_typed"))

    def has_query(self) -> bool:
        return bool(clean_query(self.cleaned_data.get("q") or ""))


LOOSE_BELOW = 5  # fewer hits than this with every word: rank those with most of the words


def place_filtered(queryset, kind: str, places: list[Place]):
    """Practices narrowed to the places and organisations recognised in the query."""
    if kind != "practice":
        return queryset
    for place in places:
        if place.kind == "country":
            queryset = queryset.filter(
                pk__in=Practice.countries.through.objects.filter(country_id=place.key).values(
                    "practice_id"
                )
            )
        elif place.kind == "region":
            queryset = queryset.filter(
                pk__in=Practice.countries.through.objects.filter(country__region=place.key).values(
                    "practice_id"
                )
            )
        else:
            queryset = queryset.filter(
                pk__in=Practice.organisations.through.objects.filter(
                    organisation_id=place.key
                ).values("practice_id")
            )
    return queryset


def ellipsised(snippet: str, body: str) -> str:
    """The database's snippet, with an ellipsis where it cuts the text short."""
    plain = " ".join(snippet.replace("<mark>", "").replace("</mark>", "").split())
    whole = " ".join(fold(body or "").split())
    if not plain or plain == whole:
        return snippet
    if not whole.startswith(plain[:40]):
        snippet = "… " + snippet
    if not whole.endswith(plain[-40:]):
        snippet = snippet + " …"
    return snippet


def loose_text(text: str) -> str:
    """The query's words, any of which will do (websearch `or`)."""
    return " or ".join(clean_query(text).split())


def search_kind(kind_row, text, *, per_kind, places, named_pks):
    kind, label, factory, title_field, body_field, where = kind_row
    queryset = place_filtered(factory(), kind, places)
    query = search_query(text) if clean_query(text) else None
    matches = queryset.search(text) if query is not None else queryset
    total = matches.count()
    hits = []
    if total or named_pks:
        annotations = {}
        if query is not None:
            annotations = dict(
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
            )
        hits = list(matches.annotate(**annotations)[:per_kind]) if total else []
        if named_pks:
            found = {hit.pk for hit in hits}
            missing = [pk for pk in named_pks if pk not in found]
            if missing:
                extra = list(factory().filter(pk__in=missing).annotate(**annotations))
                hits = extra + hits
                total += len(extra)
            hits.sort(key=lambda hit: hit.pk not in named_pks)
            hits = hits[:per_kind]
        for hit in hits:
            if query is None:
                hit.heading, hit.snippet = getattr(hit, title_field), ""
            hit.snippet = ellipsised(hit.snippet or "", getattr(hit, body_field, ""))
            hit.kind, hit.kind_label, hit.where = kind, label, where(hit) or ""
            hit.plain_title = getattr(hit, title_field)
    return Group(kind, label, total, hits)


def search_all(
    text: str,
    *,
    kinds: list[str] | None = None,
    per_kind: int = 10,
    request=None,
    use_places: bool = False,
) -> SearchResult:
    """Two queries a kind (the count and the best hits with a highlighted snippet). The records
    the whole query names come first in their kind's group (and in `named`); with `use_places`,
    countries, regions and organisations named in the query filter the practices. When fewer than
    LOOSE_BELOW records have every word, the records with most of the words are ranked instead."""
    named = named_records(request, text, kinds)
    places, searched = ([], text)
    if use_places and not named:
        places, searched = find_places(request, text)
    named_by_kind: dict[str, list[int]] = {}
    for record in named:
        named_by_kind.setdefault(record.kind, []).append(record.pk)
    rows = [row for row in KINDS if not kinds or row[0] in kinds]

    def run(words: str, places: list[Place]) -> list[Group]:
        # The places filter the practices; the other kinds are searched for every word typed.
        return [
            search_kind(
                row,
                words if row[0] == "practice" or not places else text,
                per_kind=per_kind,
                places=places,
                named_pks=named_by_kind.get(row[0], []),
            )
            for row in rows
        ]

    groups = run(searched, places)
    loose = False
    if (
        sum(group.total for group in groups) < LOOSE_BELOW
        and len(clean_query(text).split()) > 1
        and not SYNTAX.search(text)
    ):
        # Every word of the query, the places' names included, any of which will do.
        places, searched = [], text
        groups, loose = run(loose_text(text), places), True
    # The kind of the record named first, then the kinds in their usual order.
    first = {record.kind for record in named[:1]}
    groups.sort(key=lambda group: group.kind not in first)
    hits_named = []
    for group in groups:
        labels = {record.pk: record.label for record in named if record.kind == group.kind}
        for hit in group.hits:
            if hit.pk in labels:
                hit.known_as = labels[hit.pk]
                hits_named.append(hit)
    return SearchResult(groups, hits_named, places, searched, loose)
