"""Counters per table: a cached result read from a few tables outlives edits to the others, and
an edit to any table it is read from (or looked its filter values up in) recomputes it."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from gfmd.lib import data_version
from practices.filters import PracticeFilter
from practices.models import Practice
from tests.conftest import touch_country

pytestmark = pytest.mark.django_db

# The API, page cache off: every request runs its view, and the filtered ids come from the cache
# kept under the counters of the tables they are read from.
SEARCH = "/api/v1/practices/?q=health"
FILTERED = "/api/v1/practices/?q=health&theme=health-workforce&region=africa&scope=national"
PAGE = "/practices/?theme=health-workforce&region=africa"


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.GFMD_PAGE_CACHE = False
    cache.clear()


def table_version(table):
    return data_version.current_versions().tables.get(table, 0)


def touch(conn, table):
    """A committed write to `table` that changes no value."""
    conn.execute(f'UPDATE "{table}" SET id = id WHERE id = (SELECT min(id) FROM "{table}")')


def ids_computed(client, url) -> bool:
    """Whether answering `url` ran the filtered-ids query (a miss) rather than reading them."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return any(
        q["sql"].startswith(
            (
                'SELECT "practices_practice"."id" AS "pk"',
                'SELECT DISTINCT "practices_practice"."id" AS "pk"',
            )
        )
        for q in queries
    )


def test_a_write_raises_its_own_tables_counter_and_no_other(other_connection):
    country, theme = table_version("gfmd_country"), table_version("practices_theme")
    total = data_version.current()
    touch_country(other_connection)
    assert table_version("gfmd_country") == country + 1
    assert table_version("practices_theme") == theme
    assert data_version.current() == total + 1


def test_one_transaction_raises_each_table_it_wrote_once(other_connection):
    country, theme = table_version("gfmd_country"), table_version("practices_theme")
    with other_connection.transaction():
        touch_country(other_connection, "PHL")
        touch_country(other_connection, "MEX")
        other_connection.execute("UPDATE practices_theme SET name = name")
    assert table_version("gfmd_country") == country + 1
    assert table_version("practices_theme") == theme + 1


def test_a_queryset_names_the_tables_it_reads():
    searched = Practice.objects.published().search("health")
    assert data_version.tables_read(searched) == ("practices_practice",)
    filtered = PracticeFilter(
        QueryDict("theme=health-workforce&region=africa"), queryset=Practice.objects.published()
    )
    assert filtered.is_valid()
    tables = data_version.tables_read(filtered.qs)
    assert {"practices_practice", "practices_practice_countries", "gfmd_country"} <= set(tables)
    assert data_version.filter_tables(filtered) == ("practices_theme",)


def test_practice_search_results_outlive_a_country_edit(client, other_connection):
    assert ids_computed(client, SEARCH)
    assert not ids_computed(client, SEARCH)
    touch_country(other_connection)
    other_connection.execute("UPDATE roundtables_meeting SET title = title")
    assert not ids_computed(client, SEARCH)
    # ... but not a practice edit.
    other_connection.execute("UPDATE practices_practice SET title = title WHERE id = "
                             "(SELECT min(id) FROM practices_practice)")  # fmt: skip
    assert ids_computed(client, SEARCH)


def read_from():
    """Every table the filtered list's ids depend on: its SQL's and its filters' choices."""
    filtered = PracticeFilter(
        QueryDict(FILTERED.split("?")[1]),
        queryset=Practice.objects.published(),
    )
    assert filtered.is_valid()
    return data_version._union(
        data_version.tables_read(filtered.qs), data_version.filter_tables(filtered)
    )


# What the filtered list's ids are read from (checked against the code below).
FILTERED_TABLES = [
    "gfmd_country",
    "practices_practice",
    "practices_practice_countries",
    "practices_practice_themes",
    "practices_theme",
]


@pytest.mark.parametrize("table", FILTERED_TABLES)
def test_an_edit_to_each_table_a_filtered_list_reads_recomputes_it(client, other_connection, table):
    assert ids_computed(client, FILTERED)
    assert not ids_computed(client, FILTERED)
    touch(other_connection, table)
    assert ids_computed(client, FILTERED)


def test_the_tables_of_the_filtered_list_are_the_expected_ones():
    assert list(read_from()) == FILTERED_TABLES


@pytest.mark.parametrize("table", ["practices_theme", "gfmd_country", "practices_practice"])
def test_the_list_page_follows_its_tables_too(client, other_connection, table):
    assert ids_computed(client, PAGE)
    assert not ids_computed(client, PAGE)
    touch(other_connection, table)
    assert ids_computed(client, PAGE)


def test_a_theme_moved_under_another_changes_the_filtered_list_at_once(client, other_connection):
    """The theme filter folds in the themes below the one given: their ids are in the SQL, the
    hierarchy is not; the cached ids must follow the hierarchy all the same."""
    url = "/api/v1/practices/?theme=health-workforce&page_size=100"
    before = {row["slug"] for row in client.get(url).json()["results"]}
    parent = other_connection.execute(
        "SELECT id FROM practices_theme WHERE slug = 'health-workforce'"
    ).fetchone()[0]
    child, child_slug = other_connection.execute(
        "SELECT t.id, t.slug FROM practices_theme t WHERE t.slug <> 'health-workforce' AND "
        "EXISTS (SELECT 1 FROM practices_practice_themes pt JOIN practices_practice p ON "
        "p.id = pt.practice_id WHERE pt.theme_id = t.id AND p.status = 'published' AND NOT "
        "EXISTS (SELECT 1 FROM practices_practice_themes q WHERE q.practice_id = p.id AND "
        "q.theme_id = %s)) ORDER BY t.id LIMIT 1",
        [parent],
    ).fetchone()
    old_parent = other_connection.execute(
        "SELECT parent_id FROM practices_theme WHERE id = %s", [child]
    ).fetchone()[0]
    other_connection.execute("UPDATE practices_theme SET parent_id = %s WHERE id = %s",
                             [parent, child])  # fmt: skip
    try:
        after = {row["slug"] for row in client.get(url).json()["results"]}
        moved = set(
            Practice.objects.published()
            .filter(themes__slug=child_slug)
            .values_list("slug", flat=True)
        )
        assert moved - before and moved <= after
    finally:
        other_connection.execute("UPDATE practices_theme SET parent_id = %s WHERE id = %s",
                                 [old_parent, child])  # fmt: skip


def test_the_did_you_mean_vocabulary_follows_a_committed_edit_at_once(other_connection):
    from gfmd.lib.search import suggest, vocabulary

    assert "zorblaxian" not in vocabulary()
    row = other_connection.execute(
        "SELECT id, title FROM practices_practice WHERE status = 'published' AND NOT synthetic "
        "ORDER BY id LIMIT 1"
    ).fetchone()
    other_connection.execute(
        "UPDATE practices_practice SET title = title || ' Zorblaxian' WHERE id = %s", [row[0]]
    )
    try:
        assert vocabulary()["zorblaxian"] == 1
        assert suggest("zorblaxien") == "zorblaxian"
    finally:
        other_connection.execute(
            "UPDATE practices_practice SET title = %s WHERE id = %s", [row[1], row[0]]
        )
    assert "zorblaxian" not in vocabulary()


def test_the_vocabulary_outlives_an_edit_to_a_table_it_does_not_read(other_connection):
    from gfmd.lib import search

    read = [table for table, _, _ in search.vocabulary_sources()]
    assert "practices_practice" in read and "auth_user" not in read
    words = search.vocabulary()
    # A table of the knowledge base that holds no searchable text.
    unread = next(t for t in data_version.tracked_tables() if t not in read)
    touch(other_connection, unread)
    with CaptureQueriesContext(connection) as queries:
        assert search.vocabulary() is words
    assert len(queries) == 1  # the counters; the words are not read again


def test_an_empty_queryset_depends_on_every_table():
    """`.none()` (a search with no words) has no SQL to read tables from: such a result is
    keyed by the single counter, never left uncached by mistake nor a 500."""
    assert data_version.tables_read(Practice.objects.none()) is None
    assert data_version.tables_read(Practice.objects.search("  ")) is None
