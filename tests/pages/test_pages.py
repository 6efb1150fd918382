"""Every page: status, key content, and a query count that does not grow with the data.

The counts are pinned per page. List pages are checked at two page sizes as well: the count is
the same whatever the number of rows shown.
"""

import pytest
from django.urls import reverse

from tests.factories import (
    make_citation,
    make_country,
    make_practice,
    make_rcp,
    make_session,
    make_theme,
)

pytestmark = pytest.mark.django_db

# url, queries, a text the page must show; counted with nothing cached (the first visit after an
# edit). The queries of a list are: count, rows, and one per prefetched relation. The practice list
# reads the data version, its ordered ids, the page's rows with two prefetches, and one grouped
# query per facet (8: theme, region, country, meeting, session, scope, type, RCP; each counted
# with the other facets' filters, not its own); the filters' keys add one query each. The
# recommendation list: count, rows, its prefetches, the data version and one query per facet
# (5: theme, follow-up, actor, horizontal issue, session), no longer one per multi-select menu.
# The RCP list: count, rows, a prefetch, the data version and its 3 facets. Search adds to its
# count and hits per kind the index of names people know records by (one query for each of
# RCPs, organisations, countries and practices; cached under the data version) and the countries
# of the practices found (one prefetch), which each practice hit shows.
# A record's page reads its latest history rows once, for its public list of changes.
# A detail page reads its citations with their documents and passages in one query (a link to
# the passage needs both). The reader of a source: the document with its coverage counts
# (subqueries), the number of passages, the page's passages, their citations, one query per kind
# of record citing them (six kinds on pages 1 and 4 of the Brussels report), the contents
# (headings), and the citations by kind. A search in a document: the document, the matching
# passages with their headlines, and the citations by kind.
PAGES = [
    ("/", 12, "Browse by theme"),
    ("/practices/", 13, "Good practices"),
    ("/practices/?theme=human-capital-labour-mobility&country=PHL", 15, "Filters:"),
    ("/practices/?theme=gender&country=ATA", 12, "No practice matches"),
    ("/themes/", 4, "Human capital development and labour mobility"),
    # a theme: its row and six prefetches (sub-themes, citations, practices, sessions,
    # recommendations, report findings with their documents), and its latest history rows
    ("/themes/gender/", 8, "Gender"),
    ("/meetings/", 1, "First meeting of the Global Forum"),
    # the meeting's row and prefetches; its people outside the sessions add two (the people
    # with their countries and organisations, and their citations with documents and passages);
    # and its latest history rows
    ("/meetings/gfmd-2007/", 10, "Roundtables and sessions"),
    ("/roundtables/gfmd-2007-roundtable-2/", 6, "Remittances and other diaspora resources"),
    ("/sessions/gfmd-2007-session-2-1/", 11, "Improving the formalization of transfers"),
    ("/recommendations/", 10, "Recommendations"),
    ("/recommendations/?roundtable=2&status=proposed", 11, "Roundtable: Roundtable 2"),
    ("/rcps/", 7, "Regional consultative processes"),
    ("/rcps/colombo-process/", 6, "Colombo"),
    ("/countries/", 1, "South-eastern Asia"),
    ("/countries/phl/", 5, "Philippines"),
    ("/organisations/", 1, "International Organization for Migration"),
    ("/organisations/iom/", 6, "International Organization for Migration"),
    ("/sources/", 1, "A/63/269"),
    # the reader's queries (above), and the report findings and the documents the source names
    # (two prefetches where it has none; with A/63/269's findings, their themes and citations)
    ("/sources/brussels-report/", 14, "What it contributed"),
    ("/sources/brussels-report/?page=4", 14, "Cited by:"),
    ("/sources/a-63-269/?q=focal+points", 8, "Passages with"),
    ("/search/?q=remittances", 17, "result"),
]

# Pages whose costly results are cached under the data version: the queries of a second visit
# (the page cache off, as for a signed-in curator). The home page: version, featured rows and
# their countries, themes, sources, meeting. The practice list: version, filter keys, the page's
# rows and two prefetches. Themes: version and themes. Search: version (the vocabulary is cached).
# The API list: version, the page's rows and two prefetches (a region is not a looked-up key).
WARM = [
    ("/", 6),
    ("/practices/", 4),
    ("/practices/?theme=human-capital-labour-mobility&country=PHL", 6),
    ("/themes/", 2),
    ("/search/?q=remittances", 1),
    ("/api/v1/practices/?region=asia", 4),
    ("/api/v1/practices/facets/?region=asia", 1),
    ("/api/v1/search/?q=remittances", 1),
]


@pytest.mark.parametrize(("url", "queries", "text"), PAGES)
def test_page_renders_with_pinned_queries(client, django_assert_num_queries, url, queries, text):
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert text in body
    assert body.count("<h1") == 1


@pytest.mark.parametrize(("url", "queries"), WARM)
def test_a_second_visit_reads_the_cached_results(client, django_assert_num_queries, url, queries):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/practices/", "/recommendations/", "/rcps/"])
def test_list_query_count_does_not_depend_on_page_size(client, url):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for page_size_url in (url, f"{url}?page=1"):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_size_url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_practice_detail_shows_where_it_comes_from(client):
    practice = make_practice()
    citation = make_citation(
        practice, locator="II Session 9.9, panel discussion", line_start=41, line_end=44
    )
    response = client.get(practice.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Where this comes from" in body
    assert citation.locator in body
    assert "lines 41-44" in body
    assert str(citation.document) in body
    assert "Cite this page" in body


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/practices/?country=XXX", "Unknown value &#x27;XXX&#x27;"),
        ("/practices/?scope=galactic", "Allowed: national"),
        ("/practices/?start_year_min=abc", "Enter a whole number"),
        ("/practices/?theme=no-such-theme", "Unknown value"),
        ("/recommendations/?status=lost", "Allowed: proposed"),
        ("/recommendations/?session=9.9", "Unknown value"),
        ("/rcps/?region=moon", "Allowed: africa"),
        ("/search/?q=" + "x" * 201, "too long"),
    ],
)
def test_bad_parameters_get_a_clear_400(client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/practices/no-such-practice/",
        "/sessions/no-such-session/",
        "/countries/xyz/",
        "/practices/?page=999",
        "/practices/?page=abc",
        "/nowhere/",
    ],
)
def test_unknown_records_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_facet_counts_match_filtered_results(client):
    theme, country = make_theme(), make_country()
    for scope in ("national", "national", "bilateral"):
        make_practice(themes=[theme], countries=[country], scope=scope)
    make_practice(themes=[theme], scope="regional", status="draft")  # never counted
    response = client.get("/practices/", {"theme": theme.slug})
    facets = {facet.name: facet for facet in response.context["facets"]}
    counts = {name: [(v.value, v.count) for v in facets[name].values] for name in facets}
    assert counts["scope"] == [("national", 2), ("bilateral", 1)]
    assert counts["country"] == [(country.iso3, 3)]
    # the theme facet is counted without the theme filter: every theme stays offered
    assert (theme.slug, 3) in counts["theme"]
    assert len(counts["theme"]) > 1
    assert counts["rcp"] == []


def test_chip_removes_its_filter(client):
    response = client.get("/practices/", {"scope": ["national", "bilateral"]})
    chips = response.context["chips"]
    assert [chip.label for chip in chips] == ["Scope: National", "Scope: Bilateral"]
    assert chips[0].remove_url == "?scope=bilateral"


def test_search_highlights_and_groups(client):
    make_session(title="Zyxq remittance corridors")
    make_practice(title="Zyxq remittance price database")
    make_practice(title="Zyxq diaspora bonds")
    response = client.get("/search/", {"q": "zyxq"})
    body = response.content.decode()
    assert "<mark>Zyxq</mark> remittance corridors" in body
    totals = {group.kind: group.total for group in response.context["groups"] if group.total}
    assert totals == {"session": 1, "practice": 2}


def test_search_is_accent_insensitive(client):
    rcp = make_rcp(name="Zyxq Sötérköping Process")
    response = client.get("/search/", {"q": "Soterkoping"})
    groups = {group.kind: group for group in response.context["groups"]}
    assert groups["rcp"].total == 1
    assert rcp.get_absolute_url() in response.content.decode()


def test_links_are_reversible():
    assert reverse("practice-detail", args=["x"]) == "/practices/x/"


# Suggestions come from the vocabulary of the curated data, cached before a test's own records
# are made: these stay on curated words.
@pytest.mark.parametrize(
    ("typed", "meant"), [("remitances", "remittances"), ("diaspra", "diaspora")]
)
def test_search_offers_did_you_mean(client, typed, meant):
    response = client.get("/search/", {"q": typed})
    assert response.context["suggestion"] == meant
    assert "Did you mean" in response.content.decode()


@pytest.mark.parametrize("typed", ["brain drain", "circular migration", "Soderkoping", "TOKTEN"])
def test_words_the_search_finds_are_not_corrected(client, typed):
    """The vocabulary holds every indexed field's words, not only titles: 'brain drain' is in the
    practices' descriptions and must not become 'bahrain drawing'."""
    response = client.get("/search/", {"q": typed})
    assert response.context["total"] > 0
    assert response.context["suggestion"] is None


def test_did_you_mean_knows_only_published_words(client):
    from django.core.cache import cache

    from gfmd.lib.search import VOCABULARY_CACHE_KEY, vocabulary

    make_practice(title="Quixotrellis draft", published=False)
    make_practice(title="Marimbalogy practice")
    cache.delete(VOCABULARY_CACHE_KEY)
    words = vocabulary()
    assert "marimbalogy" in words
    assert "quixotrellis" not in words
    page = client.get("/search/?q=quixotrelis").content.decode()
    assert "quixotrellis" not in page.lower()


# What the second reading of the documents shows where people look.
@pytest.mark.parametrize(
    ("url", "texts"),
    [
        ("/rcps/budapest-process/", ["The documents give no region"]),
        ("/rcps/soderkoping-process/", ["Commonly called the Söderköping Process"]),
        (
            "/rcps/colombo-process/",
            ["Also known as: ", "Ministerial Consultations on Overseas Employment"],
        ),
        ("/rcps/", ["Not stated"]),
        ("/organisations/cpss/", ["Also known as: CPPS."]),
        (
            "/meetings/gfmd-2007/",
            [
                "Who chaired, spoke and reported outside the sessions",
                "Mr Ban Ki-moon",
                "Horizontal issues drafting committee",
            ],
        ),
        (
            "/sources/a-63-269/",
            [
                "What the report finds and proposes",
                "Option for follow-up",
                "Para. 71 (a)",
                "Documents it names",
                "ESA/P/WP.197",
            ],
        ),
        ("/sources/rcp-gcm4-mainstreaming/", ["Question put", "Migration Profiles"]),
        ("/themes/forum-future/", ["What reports find and propose", "para. 71 (c)"]),
        ("/recommendations/gfmd-2007-3-4-rec-6/", ["Under way, as of 11 August 2008"]),
        ("/recommendations/gfmd-2007-1-1-rec-1/", ["No follow-up is recorded in these documents"]),
        ("/organisations/centre-for-equal-opportunities-and-opposition-to-racism/", ["De Witte"]),
    ],
)
def test_names_regions_people_findings_and_follow_up_are_shown(client, url, texts):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for text in texts:
        assert text in body, text
    assert body.count("<h1") == 1
