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


def cache_entries() -> int:
    return len(cache._cache)  # the tests' local-memory cache


def test_a_thousand_junk_parameters_make_no_new_entry(client):
    """Only the parameters a page reads are in the key: `?foo=1`, `?foo=2`... share the bare
    URL's entry, on a list, a detail page and the search page."""
    for url in ("/practices/?theme=health-workforce", "/rcps/", "/search/?q=remittances"):
        assert client.get(url)[HIT_HEADER] == "miss"
        entries = cache_entries()
        sep = "&" if "?" in url else "?"
        for n in range(1000 if url.startswith("/practices/") else 50):
            response = client.get(f"{url}{sep}foo{n}={n}&ref=x{n}")
            assert response[HIT_HEADER] == "hit", n
        assert cache_entries() == entries
    detail = "/practices/malawi-health-worker-retention/"
    assert client.get(detail)[HIT_HEADER] == "miss"
    assert client.get(f"{detail}?foo=1")[HIT_HEADER] == "hit"
    assert client.get(f"{detail}?foo=2")[HIT_HEADER] == "hit"


def test_every_parameter_a_list_takes_still_makes_its_own_entry(client):
    from practices.views import PracticeListView

    names = PracticeListView.query_parameters()
    assert {"theme", "region", "country", "q", "ordering", "page"} <= names
    assert {"start_year_min", "start_year_max"} <= names  # a range's two inputs
    assert client.get("/practices/")[HIT_HEADER] == "miss"
    for query in ("region=asia", "start_year_min=2000", "ordering=-start_year", "page=2", "q=x"):
        assert client.get(f"/practices/?{query}")[HIT_HEADER] == "miss", query
        assert client.get(f"/practices/?{query}&foo=1")[HIT_HEADER] == "hit", query
    # A citation format is an answer of its own.
    detail = "/practices/malawi-health-worker-retention/"
    page = client.get(detail)
    bibtex = client.get(f"{detail}?cite=bibtex")
    assert bibtex[HIT_HEADER] == "miss" and bibtex.content != page.content


def test_the_api_answers_an_unknown_parameter_with_a_400_never_the_bare_entry(client):
    assert client.get("/api/v1/practices/")[HIT_HEADER] == "miss"
    entries = cache_entries()
    for n in range(20):
        response = client.get(f"/api/v1/practices/?foo={n}")
        assert response.status_code == 400 and HIT_HEADER not in response
    assert cache_entries() == entries


PAGES = [
    "/",
    "/practices/?theme=health-workforce&page=1",
    "/practices/malawi-health-worker-retention/",
    "/rcps/",
    "/recommendations/?q=health",
    "/search/?q=remittances",
    "/countries/?all=1",
    "/themes/",
    "/themes/health-workforce/",
    "/meetings/",
    "/overview/",
    "/sources/",
    "/organisations/",
]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_reads_no_query_parameter_it_does_not_declare(client, monkeypatch, url):
    """What keeps the key honest: every name the view (and its template) reads from the query
    is among those it declares, so leaving the others out cannot change an answer."""
    from django.core.handlers import wsgi
    from django.http import QueryDict
    from django.test import RequestFactory

    from gfmd.lib.page_cache import accepted_parameters

    read: set[str] = set()

    class Noting(QueryDict):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.noting = True

        def note(self, key):
            if getattr(self, "noting", False):
                read.add(key)

        def __getitem__(self, key):
            self.note(key)
            return super().__getitem__(key)

        def get(self, key, default=None):
            self.note(key)
            return super().get(key, default)

        def getlist(self, key, default=None):
            self.note(key)
            return super().getlist(key, default)

        def __contains__(self, key):
            self.note(key)
            return super().__contains__(key)

    monkeypatch.setattr(wsgi, "QueryDict", Noting)
    assert client.get(url).status_code == 200
    declared = accepted_parameters(RequestFactory().get(url))
    assert declared is not None
    assert read <= declared, read - declared
