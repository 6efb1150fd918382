"""The search page on the curated data: the named record first under the name people know, places
recognised as removable filters, the loose ranking when every word finds too little, kinds."""

import re

import pytest

from gfmd.site.search import ellipsised

pytestmark = pytest.mark.django_db


def body_of(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def first_hit(body: str) -> str:
    return re.search(r'<li class="hit">\s*<h3><a href="([^"]+)">([^<]*)', body).group(0)


def test_a_named_record_comes_first_under_the_name_people_know(client):
    body = body_of(client, q="soderkoping")
    hit = first_hit(body)
    assert "/rcps/soderkoping-process/" in hit and "Söderköping Process" in hit
    assert 'id="g-named">Best match' in body
    assert "Regional consultative processes" in body  # the hit's kind


def test_places_in_a_query_filter_the_practices_and_can_be_removed(client):
    body = body_of(client, q="health workers africa")
    assert "Practices filtered by:" in body
    assert "Remove filter Africa" in body
    assert "and the words “health workers”;" in body
    chip = re.search(r'<a class="chip" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert "as_typed=1" in chip
    as_typed = client.get("/search/" + chip).content.decode()
    assert "Practices filtered by:" not in as_typed
    # the filtered practices are those the practice list gives for the words and the region
    filtered = client.get("/practices/", {"q": "health workers", "region": "africa"})
    count = re.search(r'id="g-practice">Practices <span class="count">\((\d+)\)', body)
    assert int(count.group(1)) == filtered.context["result_count"]


def test_too_few_hits_with_every_word_ranks_most_of_the_words(client):
    body = body_of(client, q="ethical recruitment health workers Africa")
    assert "Few records contain every word; these contain most of them." in body
    links = re.findall(r'<li class="hit">\s*<h3><a href="([^"]+)"', body)
    assert "/practices/uk-code-ethical-recruitment-health-professionals/" in links[:3]


def test_websearch_syntax_is_kept(client):
    body = body_of(client, q='"circular migration" -return')
    assert "Practices filtered by:" not in body
    assert "Few records contain every word" not in body


def test_a_kind_can_be_chosen(client):
    body = body_of(client, q="remittances", kind="rcp")
    assert 'id="g-rcp"' in body
    assert 'id="g-practice"' not in body
    assert 'aria-current="page">Regional consultative processes</a>' in body
    assert client.get("/search/", {"q": "remittances", "kind": "poem"}).status_code == 400


def test_hits_show_where_they_are_and_snippets_are_marked_where_cut(client):
    body = body_of(client, q="remittances", kind="practice")
    metas = re.findall(r'<p class="meta"><span class="kind">Practices</span>([^<]*)</p>', body)
    assert any(" · " in meta for meta in metas)  # a country
    snippets = re.findall(r'<li class="hit">.*?</p>\s*<p>(.*?)</p>', body, re.S)
    assert snippets and any(s.startswith("… ") or s.endswith(" …") for s in snippets)


def test_an_ellipsis_marks_each_cut_end_of_a_snippet():
    body = "Remittances are large. They pay for schools and clinics in the home villages."
    assert ellipsised(body, body) == body
    assert (
        ellipsised("They pay for <mark>schools</mark>", body)
        == "… They pay for <mark>schools</mark> …"
    )
    assert ellipsised("<mark>Remittances</mark> are large.", body).endswith("large. …")
    assert ellipsised("in the home villages.", body) == "… in the home villages."
