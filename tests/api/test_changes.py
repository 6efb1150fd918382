"""The change log: every created, updated and deleted record, newest first, with the data version
its transaction committed, so that a client can sync with `since`."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from practices.models import Practice
from tests.factories import make_participation, make_practice

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


def every_change(api, **params) -> list[dict]:
    """Every page of the change log, newest first, as a client reads it."""
    rows, page = [], 1
    while True:
        data = api.get("/api/v1/changes/", {**params, "page": page, "page_size": 100}).json()
        rows += data["results"]
        if not data["next"]:
            return rows
        page += 1


def apply(state: set, rows: list[dict]) -> set:
    """A client's copy of the keys: the changes applied oldest first."""
    for row in reversed(rows):
        if row["action"] == "deleted":
            state.discard(row["key"])
        else:
            state.add(row["key"])
    return state


def public_practices() -> set:
    return set(Practice.objects.published().values_list("slug", flat=True))


def test_a_client_syncing_by_since_holds_exactly_the_published_practices(api):
    """Unpublishing is a deletion, publishing again a creation, a renamed practice its old key
    deleted and its new one created; the edits of drafts are not listed. A client syncing after
    each step, and one replaying the whole log, both end with the public set."""
    seen = latest_version()
    rows = every_change(api, kind="practice")
    state = apply(set(), rows)
    assert state == public_practices()
    cursor = rows[0]["at"]

    published = make_practice(title="Zyxq published")
    draft = make_practice(title="Zyxq draft", published=False)
    renamed = make_practice(title="Zyxq to rename")
    doomed = make_practice(title="Zyxq to delete")
    doomed_draft = make_practice(title="Zyxq draft to delete", published=False)

    def step(change):
        nonlocal cursor
        change()
        rows = every_change(api, kind="practice", since=cursor)
        if rows:
            cursor = rows[0]["at"]
        apply(state, rows)
        assert state == public_practices(), change.__doc__
        return [(row["key"], row["action"]) for row in rows]

    def unpublish():
        """back to review"""
        published.status = "review"
        published.save()

    def republish():
        published.status = "published"
        published.save()

    def edit_draft():
        draft.title = "Zyxq draft, edited"
        draft.save()

    def publish_draft():
        draft.status = "published"
        draft.save()

    def rename():
        renamed.slug = "zyxq-renamed"
        renamed.save()

    def rename_unpublished():
        """a draft's new slug is nobody's business"""
        doomed_draft.slug = "zyxq-draft-renamed"
        doomed_draft.save()

    def delete():
        doomed.delete()
        doomed_draft.delete()

    assert step(lambda: None) == [
        (doomed.slug, "created"),
        (renamed.slug, "created"),
        (published.slug, "created"),
    ]
    assert step(unpublish) == [(published.slug, "deleted")]
    assert step(republish) == [(published.slug, "created")]
    assert step(edit_draft) == []
    assert step(publish_draft) == [(draft.slug, "created")]
    old_slug = renamed.slug
    assert sorted(step(rename)) == [(old_slug, "deleted"), ("zyxq-renamed", "created")]
    assert step(rename_unpublished) == []
    assert step(delete) == [(doomed.slug, "deleted")]

    # A client that synced at data version `seen` replays what came after it.
    version = commit_version()
    since_seen = every_change(api, kind="practice", since=seen)
    assert {row["data_version"] for row in since_seen} == {version}
    at_seen = apply(set(), [r for r in every_change(api, kind="practice") if r not in since_seen])
    assert apply(at_seen, since_seen) == public_practices()


def test_a_renamed_participant_is_a_deletion_and_a_creation(api):
    participation = make_participation(name="Zyxq Persson")
    old_key = participation.key
    cursor = every_change(api, kind="participation")[0]["at"]
    participation.name = "Zyxq Person"
    participation.save()
    rows = every_change(api, kind="participation", since=cursor)
    assert {(row["key"], row["action"]) for row in rows} == {
        (old_key, "deleted"),
        (participation.key, "created"),
    }
    assert len(rows) == 2


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
        # the count of the union of the history tables, then one page of it, each with JIT
        # turned off in a savepoint of its own (SAVEPOINT, SET LOCAL jit, the query, RELEASE)
        with django_assert_num_queries(8):
            assert api.get("/api/v1/changes/", {"page_size": size}).status_code == 200
