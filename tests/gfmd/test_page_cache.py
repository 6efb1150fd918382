"""Whole responses for anonymous visitors, kept under the data version."""

import pytest
from django.core.cache import cache

from gfmd.lib.page_cache import HIT_HEADER

pytestmark = pytest.mark.django_db

URLS = [
    "/",
    "/practices/?theme=health-workforce",
    "/search/?q=remittances",
    "/api/v1/practices/?region=asia",
    "/api/v1/practices/facets/?region=asia",
    "/api/v1/search/?q=diaspora",
    "/practices/malawi-health-worker-retention/",
]


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.GFMD_PAGE_CACHE = True
    cache.clear()


@pytest.mark.parametrize("url", URLS)
def test_a_second_visit_is_served_from_the_cache_with_one_query(
    client, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200 and first[HIT_HEADER] == "miss"
    with django_assert_num_queries(1):  # the data version
        second = client.get(url)
    assert second[HIT_HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_a_committed_edit_elsewhere_is_seen_at_once(client, other_connection):
    url = "/countries/phl/"
    assert client.get(url)[HIT_HEADER] == "miss"
    assert client.get(url)[HIT_HEADER] == "hit"
    other_connection.execute("UPDATE gfmd_country SET name = 'Renamed' WHERE iso3 = 'PHL'")
    try:
        again = client.get(url)
        assert again[HIT_HEADER] == "miss"
        assert "Renamed" in again.content.decode()
    finally:
        other_connection.execute("UPDATE gfmd_country SET name = 'Philippines' WHERE iso3 = 'PHL'")


def test_the_stored_etag_answers_a_conditional_get_with_304(client):
    first = client.get("/practices/")
    etag = first["ETag"]
    again = client.get("/practices/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""


def test_signed_in_users_and_the_admin_are_never_cached(staff_client):
    for url in ("/", "/admin/"):
        staff_client.get(url)
        response = staff_client.get(url)
        assert HIT_HEADER not in response


def test_formats_are_kept_apart(client):
    json = client.get("/api/v1/practices/", HTTP_ACCEPT="application/json")
    csv = client.get("/api/v1/practices/", HTTP_ACCEPT="text/csv")
    assert json["Content-Type"].startswith("application/json")
    assert csv["Content-Type"].startswith("text/csv")
    again = client.get("/api/v1/practices/", HTTP_ACCEPT="text/csv")
    assert again[HIT_HEADER] == "hit" and again.content == csv.content


def test_errors_are_not_cached(client):
    for _ in range(2):
        response = client.get("/practices/?theme=no-such-theme")
        assert response.status_code == 400
        assert HIT_HEADER not in response


def test_a_database_that_is_away_gives_the_503_page_not_a_500(client, monkeypatch):
    """The version cannot be read: the request goes on to the view, whose lost-database handling
    answers with the 503 page."""
    from django.db.utils import OperationalError

    from gfmd.lib import data_version

    def away(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(data_version, "current_versions", away)
    response = client.get("/practices/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert HIT_HEADER not in response


def test_cached_pages_keep_the_security_headers(client):
    first = client.get("/practices/")
    second = client.get("/practices/")
    assert second[HIT_HEADER] == "hit"
    for header in ("X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options"):
        assert second[header] == first[header]


def test_parameters_that_do_not_change_the_answer_share_one_entry(client):
    assert client.get("/practices/?theme=health-workforce&utm_source=a")[HIT_HEADER] == "miss"
    assert client.get("/practices/?utm_source=b&theme=health-workforce")[HIT_HEADER] == "hit"
    assert client.get("/practices/?theme=health-workforce&fbclid=x")[HIT_HEADER] == "hit"
    assert client.get("/practices/?theme=health-workforce")[HIT_HEADER] == "hit"
    # Order does not matter either; a parameter that counts still makes its own entry.
    assert client.get("/practices/?region=asia&theme=health-workforce")[HIT_HEADER] == "miss"
    assert client.get("/practices/?theme=health-workforce&region=asia")[HIT_HEADER] == "hit"


def test_a_response_over_the_size_bound_is_served_but_not_stored(client, settings):
    settings.GFMD_PAGE_CACHE_MAX_BYTES = 1000
    first = client.get("/practices/")
    assert first.status_code == 200 and len(first.content) > 1000
    assert HIT_HEADER not in first
    assert HIT_HEADER not in client.get("/practices/")
