"""The REST API: lists, details, filters, search, ordering, CSV, permissions and errors."""

import csv
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from practices.models import Practice

pytestmark = pytest.mark.django_db

RESOURCES = [
    "countries",
    "organisations",
    "sources",
    "themes",
    "meetings",
    "roundtables",
    "sessions",
    "participations",
    "recommendations",
    "practices",
    "rcps",
]

# resource, queries for a list page: count + rows + one per prefetched relation
LIST_QUERIES = {
    "countries": 2,
    "organisations": 2,
    "sources": 1,
    "themes": 1,
    "meetings": 2,
    "roundtables": 1,
    "sessions": 3,
    "participations": 2,
    "recommendations": 4,
    "practices": 5,
    "rcps": 3,
}

DETAILS = [
    ("/api/v1/practices/malawi-health-worker-retention/", 9),
    ("/api/v1/sessions/1.1/", 11),
    ("/api/v1/sessions/gfmd-2007-session-1-1/", 11),
    ("/api/v1/countries/phl/", 5),
    ("/api/v1/countries/PHL/", 5),
    ("/api/v1/rcps/colombo-process/", 6),
    ("/api/v1/themes/gender/", 6),
    # meeting, citations, documents, parts, topics, horizontal issues, roundtables, sessions: the
    # page's queryset (Meeting.objects.for_detail()), which the API shares
    ("/api/v1/meetings/gfmd-2007/", 8),
    ("/api/v1/roundtables/gfmd-2007-roundtable-1/", 6),
    # organisation, citations, documents, practices, RCPs, participations (for_detail(), shared
    # with the page)
    ("/api/v1/organisations/iom/", 5),
]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def staff_api(django_user_model):
    user = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
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


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"scope": "national"}, lambda p: p["scope"] == "national"),
        ({"country": "PHL"}, lambda p: "PHL" in [c["iso3"] for c in p["countries"]]),
        ({"country": "phl"}, lambda p: "PHL" in [c["iso3"] for c in p["countries"]]),
        ({"theme": "remittances-diaspora"}, lambda p: True),
        ({"type": "programme"}, lambda p: p["type"] == "programme"),
    ],
)
def test_practice_filters(api, params, check):
    data = api.get("/api/v1/practices/", params).json()
    assert data["count"] > 0
    assert all(check(p) for p in data["results"])


def test_practice_region_filter_matches_countries(api):
    data = api.get("/api/v1/practices/", {"region": "africa", "page_size": 100}).json()
    assert data["count"] > 0
    slugs = {p["slug"] for p in data["results"]}
    expected = set(
        Practice.objects.published()
        .filter(countries__region="africa")
        .values_list("slug", flat=True)
    )
    assert slugs == expected


def test_recommendation_filters(api):
    by_session = api.get("/api/v1/recommendations/", {"session": "2.1"}).json()
    assert by_session["count"] > 0
    assert all(r["session"]["code"] == "2.1" for r in by_session["results"])
    by_issue = api.get("/api/v1/recommendations/", {"horizontal_issue": "gender"}).json()
    assert by_issue["count"] > 0
    assert all(r["horizontal_issue"] == "gender" for r in by_issue["results"])
    by_round = api.get("/api/v1/recommendations/", {"roundtable": 2, "page_size": 100}).json()
    assert all(r["session"]["code"].startswith("2.") for r in by_round["results"])


def test_rcp_filters_and_ordering(api):
    data = api.get("/api/v1/rcps/", {"md_engagement": "priority", "ordering": "-name"}).json()
    names = [r["name"] for r in data["results"]]
    assert names == sorted(names, reverse=True)
    assert all(r["md_engagement"] == "priority" for r in data["results"])


def test_participation_role_filter(api):
    data = api.get("/api/v1/participations/", {"role": "chair", "page_size": 100}).json()
    assert data["count"] >= 12
    assert {p["role"] for p in data["results"]} == {"chair"}


def test_search_filter(api):
    data = api.get("/api/v1/practices/", {"q": "remittances"}).json()
    assert data["count"] > 0


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
    json_count = api.get(f"/api/v1/{resource}/").json()
    expected = json_count["count"] if isinstance(json_count, dict) else len(json_count)
    assert len(rows) == expected


def test_csv_keeps_filters_and_flattens(api):
    response = api.get("/api/v1/practices/", {"format": "csv", "country": "PHL"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and all("PHL" in row["countries"] for row in rows)


def test_anonymous_writes_are_refused(api):
    assert api.post("/api/v1/practices/", {"slug": "x"}).status_code in (401, 403)
    slug = Practice.objects.first().slug
    assert api.delete(f"/api/v1/practices/{slug}/").status_code in (401, 403)
    assert Practice.objects.filter(slug=slug).exists()


def test_staff_write_is_validated(staff_api):
    bad = staff_api.post(
        "/api/v1/practices/",
        {
            "slug": "new-practice",
            "title": "New",
            "summary": "S",
            "scope": "cosmic",
            "type": "policy",
            "themes": ["gender"],
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
            "themes": ["gender"],
            "countries": ["PHL"],
        },
        format="json",
    )
    assert good.status_code == 201, good.json()
    practice = Practice.objects.get(slug="new-practice")
    assert list(practice.countries.values_list("iso3", flat=True)) == ["PHL"]


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
    with CaptureQueriesContext(connection) as queries:
        api.get("/api/v1/practices/", {"format": "csv"})
    assert len(queries) == 3


def test_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yaml"))
    assert (tmp_path / "s.yaml").stat().st_size > 10_000


def test_search_endpoint_groups_by_kind(api):
    data = api.get("/api/v1/search/", {"q": "Soderkoping"}).json()
    groups = {group["kind"]: group for group in data["groups"]}
    assert groups["rcp"]["total"] >= 1
    assert groups["rcp"]["hits"][0]["web_url"].startswith("http://testserver/rcps/")


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": "x", "kind": "bogus"}, "kind"), ({"q": "x", "per_kind": "0"}, "per_kind")],
)
def test_search_endpoint_rejects_bad_input(api, params, field):
    response = api.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_facets_follow_the_filters(api):
    facets = {
        f["name"]: f for f in api.get("/api/v1/practices/facets/", {"scope": "national"}).json()
    }
    assert [v["value"] for v in facets["scope"]["values"]] == ["national"]
    assert facets["scope"]["values"][0]["selected"] is True
    national = api.get("/api/v1/practices/", {"scope": "national"}).json()["count"]
    assert facets["scope"]["values"][0]["count"] == national
    assert api.get("/api/v1/practices/facets/", {"scope": "zz"}).status_code == 400


def test_search_suggests_a_spelling(api):
    data = api.get("/api/v1/search/", {"q": "remitances"}).json()
    assert data["suggestion"] == "remittances"
