"""The data version and what is cached under it: raised by every committed write, by any path,
and never trusted inside a transaction that has written itself."""

import pytest
from django.core.cache import cache
from django.db import connection

from gfmd.lib import data_version
from practices.models import Practice
from tests.conftest import touch_country
from tests.factories import make_practice

pytestmark = pytest.mark.django_db


def test_a_committed_write_raises_the_version(other_connection):
    before = data_version.current()
    touch_country(other_connection)
    assert data_version.current() == before + 1


def test_one_transaction_raises_it_once_whatever_it_writes(other_connection):
    before = data_version.current()
    with other_connection.transaction():
        touch_country(other_connection, "PHL")
        touch_country(other_connection, "MEX")
        other_connection.execute("UPDATE practices_theme SET name = name")
    assert data_version.current() == before + 1


def test_a_rolled_back_write_leaves_it(other_connection):
    before = data_version.current()
    with pytest.raises(RuntimeError), other_connection.transaction():
        touch_country(other_connection)
        raise RuntimeError("abandoned")
    assert data_version.current() == before


def test_a_transaction_that_wrote_caches_nothing():
    assert data_version.current() is not None
    make_practice()  # the test's transaction writes
    assert data_version.current() is None
    calls = []
    for _ in range(2):
        data_version.cached(None, "probe", (), lambda: calls.append(1) or len(calls))
    assert calls == [1, 1]


def test_cached_results_are_reused_until_the_data_changes(other_connection):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert data_version.cached(None, "probe", ("a",), compute) == 1
    assert data_version.cached(None, "probe", ("a",), compute) == 1
    assert data_version.cached(None, "probe", ("b",), compute) == 2
    touch_country(other_connection)
    assert data_version.cached(None, "probe", ("a",), compute) == 3


def test_every_table_of_the_knowledge_base_is_tracked():
    tables = data_version.tracked_tables()
    assert {"practices_practice", "practices_practice_themes", "gfmd_citation"} <= set(tables)
    assert "practices_historicalpractice" in tables  # the change log reads its versions
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [data_version.TRIGGER],
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert set(tables) <= triggered


def test_the_practice_list_and_its_facets_follow_an_edit_in_the_same_transaction(client):
    """Left on curated data: the first visit must be cached under the data version, which only
    a transaction that has not written yet does; a record made for the test would be a write."""
    cache.clear()
    url = "/practices/?country=PHL"
    first = client.get(url).content.decode()
    assert "Renamed for the test" not in first
    practice = Practice.objects.published().filter(countries__iso3="PHL").first()
    practice.title = "Renamed for the test"
    practice.save()
    assert "Renamed for the test" in client.get(url).content.decode()


def test_cached_id_lists_page_like_the_queryset():
    made = [make_practice(title=f"Listed {n:02}").pk for n in range(20)]
    rows = Practice.objects.filter(pk__in=made).order_by("-title")
    ids = list(rows.values_list("pk", flat=True))
    assert ids == made[::-1]  # an order the rows do not have by themselves
    listed = data_version.CachedIdList(ids, Practice.objects.all())
    assert len(listed) == listed.count() == len(ids)
    assert [p.pk for p in listed[5:15]] == ids[5:15]
    assert listed[0].pk == ids[0] and listed[-1].pk == ids[-1]
    assert [p.pk for p in listed] == ids
