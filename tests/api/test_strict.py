"""The API keeps its promises: an unknown parameter is a 400 naming it and listing the accepted
ones, every list has one shape, `page_size` above the maximum, an unknown format and an unknown
ordering are 400s that say what is allowed; the HTML pages stay lenient."""

import pytest
from rest_framework.test import APIClient

from gfmd.api_router import router

pytestmark = pytest.mark.django_db

LISTS = [prefix for prefix, _, _ in router.registry if prefix != "search"]


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.parametrize(
    ("url", "param", "accepted"),
    [
        ("/api/v1/practices/?regio=asia", "regio", ["region", "page", "page_size", "format"]),
        ("/api/v1/practices/?countries=PHL", "countries", ["country"]),
        ("/api/v1/sessions/?sesion=2.1", "sesion", ["meeting", "roundtable", "theme"]),
        ("/api/v1/practices/?limit=5", "limit", ["page_size"]),
        ("/api/v1/sources/?q=report", "q", ["page", "format"]),
        ("/api/v1/practices/facets/?page=2", "page", ["theme", "format"]),
        ("/api/v1/search/?q=health&page=2", "page", ["q", "kind", "per_kind", "format"]),
        ("/api/v1/practices/malawi-health-worker-retention/?theme=x", "theme", ["format"]),
        ("/api/v1/?resource=practices", "resource", ["format"]),
    ],
)
def test_unknown_parameter_is_a_400_naming_it_and_the_accepted_ones(api, url, param, accepted):
    response = api.get(url)
    assert response.status_code == 400
    message = response.json()[param][0]
    listed = message.split("This endpoint accepts: ")[1].rstrip(".").split(", ")
    assert set(accepted) <= set(listed)
    assert param not in listed


def test_detail_accepts_only_format(api):
    response = api.get("/api/v1/practices/malawi-health-worker-retention/?page=1")
    assert response.json()["page"] == ["Unknown parameter. This endpoint accepts: format."]
    assert (
        api.get("/api/v1/practices/malawi-health-worker-retention/?format=json").status_code == 200
    )


def test_several_unknown_parameters_are_all_named(api):
    response = api.get("/api/v1/countries/", {"regio": "asia", "sort": "name", "region": "asia"})
    assert response.status_code == 400
    assert set(response.json()) == {"regio", "sort"}


def test_html_pages_ignore_unknown_parameters(client):
    response = client.get("/practices/", {"utm_source": "newsletter", "regio": "asia"})
    assert response.status_code == 200


@pytest.mark.parametrize("prefix", LISTS)
def test_every_list_is_paginated_the_same_way(api, prefix):
    data = api.get(f"/api/v1/{prefix}/", {"page_size": 1}).json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert len(data["results"]) == min(1, data["count"])
    if data["count"] > 1:
        assert "page=2" in data["next"]


@pytest.mark.parametrize("size", ["101", "1000", "99999999999999999999"])
def test_page_size_above_the_maximum_is_a_400(api, size):
    response = api.get("/api/v1/practices/", {"page_size": size})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Use a whole number from 1 to 100."]}
    assert len(api.get("/api/v1/practices/", {"page_size": 100}).json()["results"]) == 100


@pytest.mark.parametrize("url", ["/api/v1/practices/", "/api/v1/", "/api/v1/search/?q=health"])
def test_unknown_format_is_a_400_naming_the_formats(api, url):
    response = api.get(url, {"format": "xml"})
    assert response.status_code == 400
    message = response.json()["format"][0]
    assert "'xml'" in message
    assert "json" in message and "csv" in message


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/api/v1/practices/", "title, -title, start_year, -start_year, scope, -scope"),
        ("/api/v1/recommendations/", "session, -session, number, -number, status, -status"),
    ],
)
def test_unknown_ordering_lists_the_allowed_values(api, url, allowed):
    response = api.get(url, {"ordering": "secret"})
    assert response.status_code == 400
    assert response.json()["ordering"] == [f"Unknown value 'secret'. Allowed: {allowed}."]


def test_root_links_docs_schema_and_facets(api):
    data = api.get("/api/v1/").json()
    for key, path in [
        ("docs", "/api/docs/"),
        ("redoc", "/api/redoc/"),
        ("schema", "/api/schema/"),
        ("practice_facets", "/api/v1/practices/facets/"),
    ]:
        assert data[key] == f"http://testserver{path}"
        assert api.get(data[key]).status_code == 200
