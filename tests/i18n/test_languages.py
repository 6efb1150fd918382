"""The interface in English, French and Spanish: the language from the switcher's cookie or the
browser's Accept-Language, the page cache kept apart by language, and the API in English."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from gfmd.lib.page_cache import HIT_HEADER

pytestmark = pytest.mark.django_db

PAGES = ["/", "/practices/", "/practices/malawi-health-worker-retention/", "/rcps/", "/search/"]
H1 = {
    "en-gb": "<h1>Good practices</h1>",
    "fr": "<h1>Bonnes pratiques</h1>",
    "es": "<h1>Buenas prácticas</h1>",
}


@pytest.fixture(autouse=True)
def _back_to_english():
    """A request leaves its language active in the thread: later tests start in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.parametrize(
    "header, language",
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("es-419,es;q=0.9", "es"),
        ("en-US,en;q=0.9", "en-gb"),
        ("de-DE,de;q=0.9", "en-gb"),  # not offered: English
        ("de;q=1,es;q=0.5", "es"),  # the best of those offered
        ("", "en-gb"),
    ],
)
def test_the_language_follows_accept_language(client, header, language):
    response = client.get("/practices/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 200
    assert html_lang(response) == language
    assert H1[language] in response.content.decode()
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"] and "Cookie" in response["Vary"]


@pytest.mark.parametrize("url", PAGES + ["/no-such-page/"])
def test_every_page_has_the_switcher_and_its_lang(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert html_lang(response) == "es"
    assert '<form class="language-switcher" action="/i18n/setlang/" method="post">' in body
    for code, name in [("en-gb", "English"), ("fr", "Français"), ("es", "Español")]:
        assert f'value="{code}" lang="{code}"' in body and f">{name}</button>" in body
    assert 'value="es" lang="es" aria-current="true"' in body
    assert f'name="next" value="{url}"' in body


def test_the_switcher_sets_the_cookie_and_goes_back_to_the_page():
    # As a browser without JavaScript sends it, with CSRF checks on: the form needs no token.
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/practices/?region=asia"})
    assert response.status_code == 302
    assert response["Location"] == "/practices/?region=asia"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "fr" and cookie["samesite"] == "Lax"
    # The cookie wins over the browser's own preference.
    page = client.get("/practices/?region=asia", HTTP_ACCEPT_LANGUAGE="es")
    assert html_lang(page) == "fr" and H1["fr"] in page.content.decode()
    back = client.post("/i18n/setlang/", {"language": "en-gb", "next": "/practices/"})
    assert back.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en-gb"
    assert H1["en-gb"] in client.get("/practices/", HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_the_switcher_refuses_an_unknown_language_and_an_outside_address(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/rcps/"})
    assert response.status_code == 302 and response["Location"] == "/rcps/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    outside = client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert outside["Location"] == "/"


def test_non_english_pages_say_the_content_stays_in_english(client):
    notice = 'class="content-language-notice"'
    assert notice not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "les fiches elles-mêmes (titres, résumés, extraits) sont en anglais" in french
    spanish = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "las fichas (títulos, resúmenes, extractos) están en inglés" in spanish


def test_choices_facets_and_counts_are_translated(client):
    body = client.get("/practices/?region=asia", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<legend>Région</legend>" in body and ">Asie</span>" in body
    assert re.search(r'role="status">\d+ pratiques?</p>', body)
    assert 'aria-label="Retirer le filtre Région\u00a0: Asie"' in body
    spanish = client.get("/rcps/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cuestionario de la OIM de 2007" in spanish


def test_dates_follow_the_language(client):
    url = "/meetings/gfmd-2007/"
    for language, date in [
        ("en", "9 July 2007"),
        ("fr", "9 juillet 2007"),
        ("es", "9 de julio de 2007"),
    ]:
        assert f"<dd>{date} – " in client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_numbers_follow_the_language():
    from django.contrib.humanize.templatetags.humanize import intcomma

    # As the lists' counts are written ({{ result_count|intcomma }} in their templates).
    for language, number in [("en-gb", "12,345"), ("fr", "12\u00a0345"), ("es", "12\u00a0345")]:
        with translation.override(language):
            assert intcomma(12345) == number


def test_the_404_page_is_translated(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 404
    assert "<h1>Página no encontrada</h1>" in response.content.decode()


def test_the_503_page_is_translated(client, monkeypatch):
    from django.db.utils import OperationalError

    from practices.views import PracticeListView

    def away(*args, **kwargs):
        raise OperationalError("server closed the connection")

    monkeypatch.setattr(PracticeListView, "get", away)
    page = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 503
    body = page.content.decode()
    assert '<html lang="fr">' in body and "<h1>Temporairement indisponible</h1>" in body
    assert "La base de données est indisponible" in body


class TestPageCache:
    @pytest.fixture(autouse=True)
    def _page_cache(self, settings):
        settings.GFMD_PAGE_CACHE = True
        cache.clear()

    def test_a_french_page_is_never_served_to_an_english_visitor(self, client):
        french = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="fr")
        assert french[HIT_HEADER] == "miss" and H1["fr"] in french.content.decode()
        english = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert english[HIT_HEADER] == "miss" and H1["en-gb"] in english.content.decode()
        nothing = client.get("/practices/")
        assert nothing[HIT_HEADER] == "hit" and H1["en-gb"] in nothing.content.decode()
        spanish = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="es")
        assert spanish[HIT_HEADER] == "miss" and H1["es"] in spanish.content.decode()

    def test_one_entry_per_language_whatever_the_header_spelling(self, client):
        assert client.get("/practices/", HTTP_ACCEPT_LANGUAGE="fr")[HIT_HEADER] == "miss"
        again = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")
        assert again[HIT_HEADER] == "hit" and H1["fr"] in again.content.decode()

    def test_the_language_cookie_keeps_pages_cacheable_and_chooses_the_entry(self, client):
        assert client.get("/practices/", HTTP_ACCEPT_LANGUAGE="es")[HIT_HEADER] == "miss"
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        # The browser asks for French, the cookie for Spanish: the Spanish entry is served.
        response = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="fr")
        assert response[HIT_HEADER] == "hit" and H1["es"] in response.content.decode()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
        response = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="es")
        assert response[HIT_HEADER] == "miss" and H1["fr"] in response.content.decode()

    def test_facets_cached_in_one_language_are_not_shown_in_another(self, client, settings):
        settings.GFMD_PAGE_CACHE = False
        french = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        english = client.get("/practices/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "<legend>Région</legend>" in french and "<legend>Region</legend>" in english
        assert "Région" not in english


class TestAPIStaysEnglish:
    def test_field_names_values_and_headers_do_not_move(self, client):
        english = client.get("/api/v1/practices/?page_size=3", HTTP_ACCEPT_LANGUAGE="en")
        for header in ("fr", "es-ES,es;q=0.9"):
            other = client.get("/api/v1/practices/?page_size=3", HTTP_ACCEPT_LANGUAGE=header)
            assert other.json() == english.json()
            assert other["Content-Language"] == "en-gb"
            assert "Accept-Language" not in other.get("Vary", "")

    def test_errors_stay_english(self, client):
        response = client.get("/api/v1/practices/?region=atlantis", HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 400
        assert response.json()["region"][0].startswith("Unknown value 'atlantis'. Allowed:")
        missing = client.get("/api/v1/practices/no-such-practice/", HTTP_ACCEPT_LANGUAGE="es")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "No Practice matches the given query."}
        too_many = client.get("/api/v1/practices/?page_size=500", HTTP_ACCEPT_LANGUAGE="fr")
        assert too_many.json() == {"page_size": ["Use a whole number from 1 to 100."]}

    def test_facet_labels_stay_english(self, client):
        body = client.get("/api/v1/practices/facets/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Region" in body and "Région" not in body

    def test_the_admin_stays_english(self, client):
        body = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert 'lang="en-gb"' in body and "Log in" in body
