"""The REST API: lists, details, filters, search, ordering, CSV, permissions and errors."""

import csv
import io
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from practices.models import Practice
from tests.factories import (
    curator_permissions,
    make_country,
    make_horizontal_issue,
    make_participation,
    make_practice,
    make_rcp,
    make_recommendation,
    make_roundtable,
    make_session,
    make_theme,
)

pytestmark = pytest.mark.django_db

RESOURCES = [
    "countries",
    "organisations",
    "sources",
    "citations",
    "themes",
    "meetings",
    "roundtables",
    "sessions",
    "participations",
    "recommendations",
    "practices",
    "rcps",
]

# resource, queries for a list page: count + rows + one per prefetched relation (sources, themes
# and roundtables are paginated like every list: their count, then their rows)
LIST_QUERIES = {
    "countries": 2,
    "organisations": 2,
    "sources": 2,
    "citations": 2,
    "themes": 2,
    "meetings": 2,
    "roundtables": 2,
    "sessions": 3,
    "participations": 2,
    "recommendations": 4,
    "practices": 5,
    "rcps": 3,
}

# A detail reads its citations with their documents and passages in one query.
DETAILS = [
    ("/api/v1/practices/malawi-health-worker-retention/", 8),
    ("/api/v1/sessions/1.1/", 10),
    ("/api/v1/sessions/gfmd-2007-session-1-1/", 10),
    ("/api/v1/countries/phl/", 5),
    ("/api/v1/countries/PHL/", 5),
    ("/api/v1/rcps/colombo-process/", 5),
    # the page's queryset (Theme.objects.for_detail()), with the report findings and documents
    ("/api/v1/themes/gender/", 7),
    # meeting, citations (with documents and passages), parts, topics, horizontal issues,
    # roundtables, sessions, and the people at meeting level with their citations' documents
    # and passages in one query: the page's queryset (Meeting.objects.for_detail()), which the
    # API shares
    ("/api/v1/meetings/gfmd-2007/", 9),
    ("/api/v1/roundtables/gfmd-2007-roundtable-1/", 5),
    # organisation, citations (with documents and passages), practices, RCPs, participations
    # (for_detail(), shared with the page)
    ("/api/v1/organisations/iom/", 5),
]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def staff_api(django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    # A curator: staff, with the model permissions of the curated records (as the admin needs).
    user.user_permissions.set(curator_permissions())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_root_lists_every_resource(api):
    data = api.get("/api/v1/").json()
    assert set(RESOURCES) <= set(data)


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_query_count_is_fixed_whatever_the_page_size(api, resource, django_assert_num_queries):
    for size in (1, 100):
        cache.clear()  # each size counted with nothing cached under the data version
        with django_assert_num_queries(LIST_QUERIES[resource]):
            response = api.get(f"/api/v1/{resource}/", {"page_size": size})
        assert response.status_code == 200


@pytest.mark.parametrize(("template", "queries"), DETAILS)
def test_detail_with_citations_at_pinned_queries(api, template, queries, django_assert_num_queries):
    with django_assert_num_queries(queries):
        response = api.get(template)
    assert response.status_code == 200
    assert "citations" in response.json() or "practices" in response.json()


def test_walk_from_session_to_countries(api):
    session = api.get("/api/v1/sessions/1.1/").json()
    recommendation = api.get(session["recommendations"][0]["url"]).json()
    theme = api.get(recommendation["themes"][0]["url"]).json()
    assert theme["slug"]
    practice_session = api.get("/api/v1/sessions/3.2/").json()
    practice = api.get(practice_session["practices"][0]["url"]).json()
    for country in practice["countries"]:
        assert api.get(country["url"]).status_code == 200


@pytest.fixture
def kb():
    """Three practices of the test's own, under a theme (with a theme below it) and in countries
    that no curated record has, so that a filter by them returns exactly these."""
    theme = make_theme()
    child = make_theme(parent=theme)
    africa, africa_too = make_country(region="africa"), make_country(region="africa")
    europe = make_country(region="europe")
    return SimpleNamespace(
        theme=theme,
        child=child,
        africa=africa,
        africa_too=africa_too,
        europe=europe,
        national=make_practice(
            themes=[theme], countries=[africa, africa_too], scope="national", type="programme"
        ),
        bilateral=make_practice(
            themes=[child], countries=[europe], scope="bilateral", type="policy"
        ),
        elsewhere=make_practice(countries=[africa], scope="national", type="policy"),
    )


def slugs(data) -> list[str]:
    return sorted(row["slug"] for row in data["results"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # a theme selects its own practices and those of the themes below it
        (lambda kb: {"theme": kb.theme.slug}, ["national", "bilateral"]),
        (lambda kb: {"theme": kb.child.slug}, ["bilateral"]),
        (lambda kb: {"country": kb.africa.iso3}, ["national", "elsewhere"]),
        (lambda kb: {"country": kb.africa.iso3.lower()}, ["national", "elsewhere"]),
        # any of several values; a practice in two of them is listed once
        (
            lambda kb: {"country": [kb.africa.iso3, kb.africa_too.iso3, kb.europe.iso3]},
            ["national", "bilateral", "elsewhere"],
        ),
        (lambda kb: {"theme": kb.theme.slug, "scope": "national"}, ["national"]),
        (lambda kb: {"theme": kb.theme.slug, "type": "policy"}, ["bilateral"]),
        (lambda kb: {"theme": kb.theme.slug, "region": "africa"}, ["national"]),
        (lambda kb: {"theme": kb.theme.slug, "region": "europe"}, ["bilateral"]),
    ],
    ids=[
        "theme-and-below",
        "child-theme",
        "country",
        "country-lower-case",
        "countries",
        "scope",
        "type",
        "region-two-countries",
        "region",
    ],
)
def test_practice_filters(api, kb, params, expected):
    data = api.get("/api/v1/practices/", params(kb)).json()
    assert slugs(data) == sorted(getattr(kb, name).slug for name in expected)
    assert data["count"] == len(expected)


def test_recommendation_filters(api):
    roundtable = make_roundtable(number=7)  # no curated roundtable or session has this number
    first = make_recommendation(make_session(roundtable, code="7.1"))
    second = make_recommendation(make_session(roundtable, code="7.2"))
    issue = make_horizontal_issue(meeting=roundtable.meeting)
    of_issue = make_recommendation(horizontal_issue=issue)

    by_session = api.get("/api/v1/recommendations/", {"session": "7.1"}).json()
    assert slugs(by_session) == [first.slug]
    assert by_session["results"][0]["session"]["code"] == "7.1"
    by_issue = api.get("/api/v1/recommendations/", {"horizontal_issue": issue.slug}).json()
    assert slugs(by_issue) == [of_issue.slug]
    assert by_issue["results"][0]["horizontal_issue"]["slug"] == issue.slug
    by_round = api.get("/api/v1/recommendations/", {"roundtable": 7}).json()
    assert slugs(by_round) == sorted([first.slug, second.slug])


def test_rcp_filters_and_ordering(api):
    # "zyxq" finds these three and no curated RCP
    alpha = make_rcp(name="Zyxq Alpha Process", md_engagement="priority")
    beta = make_rcp(name="Zyxq Beta Process", md_engagement="priority")
    make_rcp(name="Zyxq Gamma Process", md_engagement="ad_hoc")
    params = {"q": "zyxq", "md_engagement": "priority"}
    data = api.get("/api/v1/rcps/", {**params, "ordering": "-name"}).json()
    assert [r["name"] for r in data["results"]] == [beta.name, alpha.name]
    data = api.get("/api/v1/rcps/", {**params, "ordering": "name"}).json()
    assert [r["name"] for r in data["results"]] == [alpha.name, beta.name]


def test_participation_role_filter(api):
    roundtable = make_roundtable(number=7)
    session, other = make_session(roundtable, code="7.1"), make_session(roundtable, code="7.2")
    chair = make_participation(session, role="chair")
    make_participation(session, role="speaker")
    make_participation(other, role="chair")
    data = api.get("/api/v1/participations/", {"role": "chair", "session": "7.1"}).json()
    assert [p["name"] for p in data["results"]] == [chair.name]
    assert data["results"][0]["role"] == "chair"


def test_search_filter(api):
    found = make_practice(title="Zyxq seasonal workers scheme")
    make_practice(title="Seasonal workers scheme")
    data = api.get("/api/v1/practices/", {"q": "zyxq"}).json()
    assert slugs(data) == [found.slug]


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/practices/?country=ZZZ", "country"),
        ("/api/v1/practices/?scope=cosmic", "scope"),
        ("/api/v1/practices/?start_year_min=year", "start_year_min"),
        ("/api/v1/practices/?start_year_max=99999999999999999999", "start_year_max"),
        ("/api/v1/recommendations/?status=lost", "status"),
        ("/api/v1/recommendations/?horizontal_issue=nope", "horizontal_issue"),
        ("/api/v1/rcps/?md_engagement=maybe", "md_engagement"),
        ("/api/v1/practices/?ordering=secret", "ordering"),
    ],
)
def test_bad_parameters_get_400_naming_the_parameter(api, url, param):
    response = api.get(url)
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/practices/nope/",
        "/api/v1/sessions/9.9/",
        "/api/v1/countries/zzz/",
        "/api/v1/practices/?page=999",
    ],
)
def test_unknown_records_are_404(api, url):
    assert api.get(url).status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_csv_of_every_list(api, resource):
    response = api.get(f"/api/v1/{resource}/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == api.get(f"/api/v1/{resource}/").json()["count"]


def test_csv_keeps_filters_and_flattens(api, kb):
    response = api.get("/api/v1/practices/", {"format": "csv", "country": kb.africa.iso3})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["slug"]: row["countries"] for row in rows} == {
        # countries as their codes, in the order of their names
        kb.national.slug: f"{kb.africa.iso3}; {kb.africa_too.iso3}",
        kb.elsewhere.slug: kb.africa.iso3,
    }


def test_anonymous_writes_are_refused(api):
    assert api.post("/api/v1/practices/", {"slug": "x"}).status_code in (401, 403)
    slug = make_practice().slug
    assert api.delete(f"/api/v1/practices/{slug}/").status_code in (401, 403)
    assert Practice.objects.filter(slug=slug).exists()


def test_staff_write_is_validated(staff_api):
    theme, country = make_theme(), make_country()
    bad = staff_api.post(
        "/api/v1/practices/",
        {
            "slug": "new-practice",
            "title": "New",
            "summary": "S",
            "scope": "cosmic",
            "type": "policy",
            "themes": [theme.slug],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "scope" in bad.json()
    good = staff_api.post(
        "/api/v1/practices/",
        {
            "slug": "new-practice",
            "title": "New",
            "summary": "S",
            "scope": "national",
            "type": "policy",
            "themes": [theme.slug],
            "countries": [country.iso3],
        },
        format="json",
    )
    assert good.status_code == 201, good.json()
    practice = Practice.objects.get(slug="new-practice")
    assert list(practice.countries.all()) == [country]
    assert list(practice.themes.all()) == [theme]


def test_etag_allows_revalidation(api):
    first = api.get("/api/v1/rcps/")
    assert first.has_header("ETag")
    again = api.get("/api/v1/rcps/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_schema_and_docs(api):
    schema = api.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/practices/" in paths
    params = {p["name"] for p in paths["/api/v1/practices/"]["get"]["parameters"]}
    assert {
        "theme",
        "country",
        "region",
        "scope",
        "type",
        "session",
        "rcp",
        "q",
        "ordering",
    } <= params
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_list_query_count_fixed_for_csv(api):
    # rows with their citation count, then themes, countries and organisations (prefetched)
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/practices/", {"format": "csv"})
    assert len(queries) == 4


def test_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert (tmp_path / "s.yaml").stat().st_size > 10_000


def test_search_endpoint_groups_by_kind(api):
    rcp = make_rcp(name="Zyxq Sötérköping Process")
    practice = make_practice(title="Zyxq Soterkoping pilot")
    data = api.get("/api/v1/search/", {"q": "Soterkoping"}).json()
    groups = {group["kind"]: group for group in data["groups"] if group["total"]}
    assert {kind: group["total"] for kind, group in groups.items()} == {"rcp": 1, "practice": 1}
    assert groups["rcp"]["hits"][0]["web_url"] == f"http://testserver{rcp.get_absolute_url()}"
    assert groups["practice"]["hits"][0]["web_url"].endswith(practice.get_absolute_url())


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": "x", "kind": "bogus"}, "kind"), ({"q": "x", "per_kind": "0"}, "per_kind")],
)
def test_search_endpoint_rejects_bad_input(api, params, field):
    response = api.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()


def facet_values(api, params) -> dict:
    """{facet: [(value, count, selected), ...]} of the practice facets for `params`."""
    facets = api.get("/api/v1/practices/facets/", params).json()
    return {
        f["name"]: [(v["value"], v["count"], v["selected"]) for v in f["values"]] for f in facets
    }


def test_facets_follow_the_filters(api, kb):
    """Disjunctive counts: a facet is counted under every other facet's filters, not its own, so a
    count is what ticking that value would give; a selected value stays listed, even at zero."""
    ours = {kb.theme.slug, kb.child.slug}
    facets = facet_values(api, {"theme": kb.theme.slug})
    assert facets["scope"] == [("bilateral", 1, False), ("national", 1, False)]
    assert facets["region"] == [("africa", 1, False), ("europe", 1, False)]
    # the theme facet ignores the theme filter; a theme counts the practices of its sub-themes
    themes = sorted(v for v in facets["theme"] if v[0] in ours)
    assert themes == sorted([(kb.theme.slug, 2, True), (kb.child.slug, 1, False)])
    assert len(facets["theme"]) > 2  # the curated themes stay offered
    facets = facet_values(api, {"theme": kb.theme.slug, "scope": "national"})
    assert facets["scope"] == [("bilateral", 1, False), ("national", 1, True)]
    assert facets["country"] == sorted([(kb.africa.iso3, 1, False), (kb.africa_too.iso3, 1, False)])
    assert api.get("/api/v1/practices/facets/", {"scope": "zz"}).status_code == 400
    facets = facet_values(
        api, {"theme": kb.theme.slug, "scope": "national", "country": kb.europe.iso3}
    )
    assert facets["scope"] == [("bilateral", 1, False), ("national", 0, True)]


def test_search_suggests_a_spelling(api):
    data = api.get("/api/v1/search/", {"q": "remitances"}).json()
    assert data["suggestion"] == "remittances"


def test_the_practice_list_rows_are_what_the_field_serializer_gives(rf):
    """The list's hand-read rows (PracticeListSerializer) equal the DRF fields they stand for:
    with and without a start year, a country with and without a common name, several themes."""
    from practices.api import PracticeListSerializer, PracticeSerializer

    named = make_country(name="Republic of Testland", common_name="Testland")
    plain = make_country(name="Plainland")
    make_practice(countries=[named, plain], start_year=2004, summary="Ä summary")
    make_practice(themes=[make_theme(), make_theme()], start_year=None)
    request = rf.get("/api/v1/practices/")
    rows = Practice.objects.with_related().order_by("pk")
    context = {"request": request}
    expected = PracticeSerializer(rows, many=True, context=context).data
    assert PracticeListSerializer(rows, many=True, context=context).data == expected
    assert len(expected) >= 2
