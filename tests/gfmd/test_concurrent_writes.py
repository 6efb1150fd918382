"""Concurrent edits against live servers: of two writes made at the same moment from the same
version, exactly one is saved and the other refused (409 in the API, the conflict message in the
admin), over many pairs; versions only go up, by one per saved edit.

The two gunicorn servers, their database and Redis are those of test_two_servers (the fixtures
are shared); each edit of a pair goes to a different server, as on two machines.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from functools import partial
from html.parser import HTMLParser

import pytest

from tests.gfmd import test_two_servers as two
from tests.gfmd.test_two_servers import admin_login

# The live servers of test_two_servers (and the Redis they share), by name.
redis_url = two.redis_url
servers = two.servers

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PAIRS = 50


@pytest.fixture(autouse=True)
def _warm_caches():
    """The servers use a database of their own."""


def at_once(*calls):
    """Run the calls in threads released together; their answers, in order."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        answers[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def api_auth(live) -> dict:
    return {"Authorization": f"Token {live['token']}", "Accept": "application/json"}


def a_practice(server) -> str:
    return server.get("/api/v1/practices/?page_size=1&ordering=-title").json()["results"][0]["slug"]


def test_of_two_api_edits_from_one_version_exactly_one_is_saved(servers):  # noqa: F811
    a, b = servers["A"], servers["B"]
    auth = api_auth(servers)
    slug = a_practice(a)
    url = f"/api/v1/practices/{slug}/"
    start = a.get(url).json()["version"]
    outcomes = []
    for number in range(PAIRS):
        version = a.get(url, headers=auth).json()["version"]
        title, note = f"Title of pair {number}", f"Note of pair {number}"
        first, second = at_once(
            partial(
                a.request, "PATCH", url, body={"title": title, "version": version}, headers=auth
            ),
            partial(
                b.request,
                "PATCH",
                url,
                body={"curator_note": note, "version": version},
                headers=auth,
            ),
        )
        statuses = sorted([first.status, second.status])
        outcomes.append(statuses)
        assert statuses == [200, 409], (number, first.text[:300], second.text[:300])
        refused = first if first.status == 409 else second
        assert "while you were editing it" in refused.json()["detail"]
        saved = a.get(url, headers=auth).json()
        assert saved["version"] == version + 1
        # The refused edit left nothing: exactly one of the two fields changed.
        assert (saved["title"] == title) != (saved["curator_note"] == note)
    assert outcomes == [[200, 409]] * PAIRS
    assert a.get(url).json()["version"] == start + PAIRS


class FormFields(HTMLParser):
    """The values a browser would post from the admin change form (id="..._form")."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self.in_form = False
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("id") or "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None


def admin_practice(server, cookies) -> tuple[str, str]:
    """The admin change page of the first published practice listed, and its slug."""
    listing = server.get("/admin/practices/practice/?status__exact=published", cookies=cookies).text
    change = re.search(r"/admin/practices/practice/\d+/change/", listing).group(0)
    parser = FormFields()
    parser.feed(server.get(change, cookies=cookies).text)
    return change, dict(parser.data)["slug"]


def test_an_admin_save_and_an_api_edit_from_one_version_exactly_one_is_saved(servers):  # noqa: F811
    a, b = servers["A"], servers["B"]
    auth = api_auth(servers)
    cookies = admin_login(a)
    change, slug = admin_practice(a, cookies)
    url = f"/api/v1/practices/{slug}/"
    form_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    for number in range(PAIRS):
        parser = FormFields()
        parser.feed(a.get(change, cookies=cookies).text)
        fields = dict(parser.data)
        version = int(fields["loaded_version"])
        data = [(k, f"Admin title {number}" if k == "title" else v) for k, v in parser.data]
        note = f"API note {number}"
        admin_answer, api_answer = at_once(
            partial(
                a.request,
                "POST",
                change,
                body=urllib.parse.urlencode(data),
                headers=form_headers,
                cookies=cookies,
            ),
            partial(
                b.request,
                "PATCH",
                url,
                body={"curator_note": note, "version": version},
                headers=auth,
            ),
        )
        admin_saved = admin_answer.status == 302
        if not admin_saved:
            assert admin_answer.status == 200 and "while you were editing it" in admin_answer.text
        assert api_answer.status in (200, 409), api_answer.text[:300]
        assert admin_saved != (api_answer.status == 200), (number, api_answer.text[:300])
        saved = a.get(url, headers=auth).json()
        assert saved["version"] == version + 1
        assert (saved["title"] == f"Admin title {number}") is admin_saved
        assert (saved["curator_note"] == note) is not admin_saved


def test_the_admin_refuses_a_save_without_the_version_it_loaded(servers):  # noqa: F811
    a = servers["A"]
    cookies = admin_login(a)
    change, slug = admin_practice(a, cookies)
    parser = FormFields()
    parser.feed(a.get(change, cookies=cookies).text)
    data = [(k, "No version" if k == "title" else v) for k, v in parser.data]
    data = [(k, v) for k, v in data if k != "loaded_version"]
    answer = a.request(
        "POST",
        change,
        body=urllib.parse.urlencode(data),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        cookies=cookies,
    )
    assert answer.status == 200
    assert "Send the version you read" in answer.text
    assert a.get(f"/api/v1/practices/{slug}/").json()["title"] != "No version"
