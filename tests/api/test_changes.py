"""The change log: every created, updated and deleted record, newest first, with the data version
its transaction committed, so that a client can sync with `since`."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import make_practice

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def commit_version() -> int:
    """Fire the commit trigger of this (test) transaction now, as its commit would: the data
    version it makes is recorded for its transaction id. Returns that version."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT version FROM gfmd_dataversioncommit WHERE txid = txid_current_if_assigned()"
        )
        return cursor.fetchone()[0]


def latest_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(version), 0) FROM gfmd_dataversioncommit")
        return cursor.fetchone()[0]


def test_sync_since_a_version_sees_creations_updates_and_deletions(api):
    """A newcomer's journey: remember the highest data version seen, ask for what changed
    after it."""
    seen = latest_version()
    created = make_practice(title="Zyxq new practice")
    updated = make_practice(title="Zyxq practice to edit")
    updated.title = "Zyxq practice edited"
    updated.save()
    deleted = make_practice(title="Zyxq practice to delete")
    deleted_slug = deleted.slug
    deleted.delete()
    version = commit_version()
    assert version > seen

    data = api.get("/api/v1/changes/", {"since": seen, "kind": "practice"}).json()
    rows = [(row["key"], row["action"]) for row in data["results"]]
    assert rows == [
        (deleted_slug, "deleted"),
        (deleted_slug, "created"),
        (updated.slug, "updated"),
        (updated.slug, "created"),
        (created.slug, "created"),
    ]
    assert {row["data_version"] for row in data["results"]} == {version}
    first = data["results"][0]
    assert first["url"] == f"http://testserver/api/v1/practices/{deleted_slug}/"
    assert data["results"][2]["record_version"] == 2
    times = [row["at"] for row in data["results"]]
    assert times == sorted(times, reverse=True)
    # Nothing after the version just synced.
    assert api.get("/api/v1/changes/", {"since": version}).json()["count"] == 0


def test_since_a_time(api):
    make_practice(title="Zyxq before")
    data = api.get("/api/v1/changes/", {"kind": "practice", "page_size": 1}).json()
    at = data["results"][0]["at"]
    later = make_practice(title="Zyxq after")
    rows = api.get("/api/v1/changes/", {"since": at, "kind": "practice"}).json()["results"]
    assert [(r["kind"], r["key"]) for r in rows] == [("practice", later.slug)]


def test_drafts_do_not_appear(api):
    seen = latest_version()
    make_practice(title="Zyxq draft", published=False)
    commit_version()
    # (its theme, made for the test, is public and listed)
    assert api.get("/api/v1/changes/", {"since": seen, "kind": "practice"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "9" * 30}, "since"),
        ({"kind": "person"}, "kind"),
        ({"sinse": "3"}, "sinse"),
    ],
)
def test_bad_parameters_are_400s_naming_them(api, params, name):
    response = api.get("/api/v1/changes/", params)
    assert response.status_code == 400
    assert name in response.json()


def test_list_query_count_is_fixed(api, django_assert_num_queries):
    for size in (1, 100):
        # the count of the union of the history tables, then one page of it
        with django_assert_num_queries(2):
            assert api.get("/api/v1/changes/", {"page_size": size}).status_code == 200
