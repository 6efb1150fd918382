"""Atom feeds of new and changed records, one per list page (with its filters) and one for a
search, advertised by the pages; valid Atom, as a feed reader parses it. Feeds live under
/feeds/, so that no record's slug is taken by one; the old addresses lead there."""

import re

import feedparser
import pytest

from tests.factories import (
    make_country,
    make_meeting,
    make_organisation,
    make_practice,
    make_rcp,
    make_source,
    make_theme,
)

pytestmark = pytest.mark.django_db

# list page, its feed, a filter the page takes (or None)
FEEDS = [
    ("/practices/", "/feeds/practices/", "q=migration"),
    ("/recommendations/", "/feeds/recommendations/", "q=migration"),
    ("/rcps/", "/feeds/rcps/", "q=migration"),
    ("/meetings/", "/feeds/meetings/", None),
    ("/themes/", "/feeds/themes/", None),
    ("/countries/", "/feeds/countries/", "all=1"),
    ("/organisations/", "/feeds/organisations/", None),
    ("/sources/", "/feeds/sources/", None),
]


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


@pytest.mark.parametrize(("page", "feed_url", "query"), FEEDS)
def test_every_list_has_a_valid_feed(client, page, feed_url, query):
    feed = parse(client.get(feed_url))
    assert 0 < len(feed.entries) <= 50
    for entry in feed.entries:
        assert entry.title and entry.link.startswith("http://testserver/")
        assert entry.updated_parsed is not None
    updated = [entry.updated for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)  # newest first


def advertised(html: str) -> list[str]:
    return re.findall(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html
    )


@pytest.mark.parametrize(("page", "feed_url", "query"), FEEDS)
def test_the_page_advertises_its_feed_with_its_filters(client, page, feed_url, query):
    html = client.get(page, {"utm_source": "newsletter"}).content.decode()
    assert advertised(html) == [feed_url]  # a tag the page does not read is left out
    # and a link a visitor sees
    assert f'<a href="{feed_url}" type="application/atom+xml">' in html
    if query:
        html = client.get(f"{page}?{query}&page=1").content.decode()
        assert advertised(html) == [f"{feed_url}?{query}"]
        assert parse(client.get(f"{feed_url}?{query}")).feed.link == (
            f"http://testserver{page}?{query}"
        )


@pytest.mark.parametrize(
    ("make", "feed_url"),
    [
        (lambda: make_meeting(title="Zyxq meeting"), "/feeds/meetings/"),
        (lambda: make_theme(name="Zyxq theme"), "/feeds/themes/"),
        (lambda: make_organisation(name="Zyxq organisation"), "/feeds/organisations/"),
        (lambda: make_source(title="Zyxq source"), "/feeds/sources/"),
        (lambda: make_rcp(name="Zyxq process"), "/feeds/rcps/"),
    ],
)
def test_a_new_record_comes_first_in_its_feed(client, make, feed_url):
    record = make()
    first = parse(client.get(feed_url)).entries[0]
    assert first.title == str(record)
    assert first.link == f"http://testserver{record.get_absolute_url()}"


def test_the_country_feed_has_the_countries_the_list_shows(client):
    """By default the countries a practice or an RCP names; with all=1 every state."""
    named = make_country(name="Zyxq named")
    unnamed = make_country(name="Zyxq unnamed")
    make_practice(countries=[named])
    titles = [entry.title for entry in parse(client.get("/feeds/countries/")).entries]
    assert str(named) in titles and str(unnamed) not in titles
    titles = [entry.title for entry in parse(client.get("/feeds/countries/?all=1")).entries]
    assert str(unnamed) in titles


def test_a_practice_may_be_called_feed(client):
    """No slug is taken by a feed: a practice slugged `feed` has its page at /practices/feed/,
    and the feed stays at /feeds/practices/."""
    practice = make_practice(title="Zyxq practice named Feed", slug="feed")
    response = client.get("/practices/feed/")
    assert response.status_code == 200
    assert "Zyxq practice named Feed" in response.content.decode()
    assert parse(client.get("/feeds/practices/")).entries[0].title == practice.title


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/practices/feed/?theme=health-workforce", "/feeds/practices/?theme=health-workforce"),
        ("/recommendations/feed/", "/feeds/recommendations/"),
        ("/rcps/feed/?region=africa", "/feeds/rcps/?region=africa"),
        ("/search/feed/?q=remittances", "/feeds/search/?q=remittances"),
    ],
)
def test_the_old_feed_addresses_lead_to_the_feeds(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_a_filtered_feed_has_the_filtered_records_newest_first(client):
    """A newcomer's journey: subscribe to the practices of one theme."""
    theme = make_theme()
    older = make_practice(themes=[theme], title="Zyxq older")
    newer = make_practice(themes=[theme], title="Zyxq newer")
    make_practice(title="Zyxq of another theme")
    feed = parse(client.get("/feeds/practices/", {"theme": theme.slug}))
    assert [entry.title for entry in feed.entries] == [newer.title, older.title]
    assert feed.entries[0].link == f"http://testserver{newer.get_absolute_url()}"
    assert feed.feed.link == f"http://testserver/practices/?theme={theme.slug}"
    older.title = "Zyxq older, edited"
    older.save()
    feed = parse(client.get("/feeds/practices/", {"theme": theme.slug}))
    assert feed.entries[0].title == "Zyxq older, edited"


def test_search_feed(client):
    practice = make_practice(title="Zyxq feed practice")
    feed = parse(client.get("/feeds/search/", {"q": "zyxq"}))
    assert [entry.title for entry in feed.entries] == [practice.title]
    html = client.get("/search/", {"q": "zyxq"}).content.decode()
    assert 'type="application/atom+xml"' in html and "/feeds/search/?q=zyxq" in html


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/feeds/practices/?theme=no-such-theme", "theme"),
        ("/feeds/practices/?start_year_min=soon", "start_year_min"),
        ("/feeds/recommendations/?status=lost", "status"),
        ("/feeds/rcps/?region=atlantis", "region"),
        ("/feeds/countries/?all=yes", "all"),
        ("/feeds/search/", "q"),
        ("/feeds/search/?q=remittances&kind=person", "kind"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, url, param):
    response = client.get(url)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{param}:")


@pytest.mark.parametrize(
    ("feed_url", "queries"),
    [
        # the practices with their history dates, then their themes and countries (prefetched)
        ("/feeds/practices/", 3),
        # the recommendations with their history dates (with their session, roundtable and
        # horizontal issue), then their themes and actors (prefetched)
        ("/feeds/recommendations/", 3),
        # the RCPs with their history dates, then their supporting organisations (prefetched)
        ("/feeds/rcps/", 2),
        # the records with their history dates
        ("/feeds/meetings/", 1),
        ("/feeds/themes/", 1),
        ("/feeds/countries/", 1),
        ("/feeds/organisations/", 1),
        ("/feeds/sources/", 1),
    ],
)
def test_feed_query_count_is_fixed(client, django_assert_num_queries, feed_url, queries):
    with django_assert_num_queries(queries):
        assert client.get(feed_url).status_code == 200
