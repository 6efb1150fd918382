"""Atom feeds of new and changed records, one per filtered list (with its filters) and one for a
search, advertised by the pages; valid Atom, as a feed reader parses it."""

import re

import feedparser
import pytest

from tests.factories import make_practice, make_theme

pytestmark = pytest.mark.django_db

FEEDS = [
    ("/practices/", "/practices/feed/"),
    ("/recommendations/", "/recommendations/feed/"),
    ("/rcps/", "/rcps/feed/"),
]


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


@pytest.mark.parametrize(("page", "feed_url"), FEEDS)
def test_every_filtered_list_has_a_valid_feed(client, page, feed_url):
    feed = parse(client.get(feed_url))
    assert 0 < len(feed.entries) <= 50
    for entry in feed.entries:
        assert entry.title and entry.link.startswith("http://testserver/")
        assert entry.updated_parsed is not None
    updated = [entry.updated for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)  # newest first


@pytest.mark.parametrize(("page", "feed_url"), FEEDS)
def test_the_page_advertises_its_feed_with_its_filters(client, page, feed_url):
    html = client.get(page, {"q": "migration", "page": "1"}).content.decode()
    links = re.findall(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html
    )
    assert links == [f"{feed_url}?q=migration"]


def test_a_filtered_feed_has_the_filtered_records_newest_first(client):
    """A newcomer's journey: subscribe to the practices of one theme."""
    theme = make_theme()
    older = make_practice(themes=[theme], title="Zyxq older")
    newer = make_practice(themes=[theme], title="Zyxq newer")
    make_practice(title="Zyxq of another theme")
    feed = parse(client.get("/practices/feed/", {"theme": theme.slug}))
    assert [entry.title for entry in feed.entries] == [newer.title, older.title]
    assert feed.entries[0].link == f"http://testserver{newer.get_absolute_url()}"
    assert feed.feed.link == f"http://testserver/practices/?theme={theme.slug}"
    older.title = "Zyxq older, edited"
    older.save()
    feed = parse(client.get("/practices/feed/", {"theme": theme.slug}))
    assert feed.entries[0].title == "Zyxq older, edited"


def test_search_feed(client):
    practice = make_practice(title="Zyxq feed practice")
    feed = parse(client.get("/search/feed/", {"q": "zyxq"}))
    assert [entry.title for entry in feed.entries] == [practice.title]
    html = client.get("/search/", {"q": "zyxq"}).content.decode()
    assert 'type="application/atom+xml"' in html and "/search/feed/?q=zyxq" in html


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/practices/feed/?theme=no-such-theme", "theme"),
        ("/recommendations/feed/?status=lost", "status"),
        ("/search/feed/", "q"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(client, url, param):
    response = client.get(url)
    assert response.status_code == 400
    assert response.content.decode().startswith(f"{param}:")


def test_feed_query_count_is_fixed(client, django_assert_num_queries):
    # the practices with their history dates, then their themes and countries (prefetched)
    with django_assert_num_queries(3):
        client.get("/practices/feed/")
