"""Search is served by the GIN index on the stored vector, and ranks a bounded candidate set."""

import pytest
from django.db import connection, transaction

from gfmd.lib import search
from practices.models import Practice
from tests.factories import make_practice

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:
    """The plan with sequential scans priced out: on a table this small PostgreSQL would read it
    whole; what matters here is that the search condition is one the GIN index can serve."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def test_the_search_query_uses_the_gin_index():
    text = plan(Practice.objects.search("brain drain").values_list("pk", flat=True)[:20])
    assert "Bitmap Index Scan on practice_search_idx" in text
    assert "Seq Scan" not in text


def test_the_candidate_set_is_taken_from_the_index_too():
    """The ranked candidates are a LIMITed subquery under the same condition: it is the index
    again, not a scan of the table."""
    text = plan(Practice.objects.search("remittances", candidates=5).values("pk"))
    assert text.count("Bitmap Index Scan on practice_search_idx") == 2
    assert "hashed SubPlan" in text


def test_only_the_candidates_are_ranked_and_every_match_is_listed():
    made = [
        make_practice(title=f"Zorbling scheme {n:02}", summary="zorbling " * (n + 1))
        for n in range(6)
    ]
    everything = list(Practice.objects.search("zorbling"))
    assert {p.pk for p in everything} == {p.pk for p in made}
    assert everything[0].search_rank > 0
    bounded = list(Practice.objects.search("zorbling", candidates=2))
    assert {p.pk for p in bounded} == {p.pk for p in made}  # all still found
    ranks = [p.search_rank for p in bounded]
    assert sum(1 for r in ranks if r > 0) == 2
    assert ranks == sorted(ranks, reverse=True)
    unranked = [p.title for p in bounded if p.search_rank == 0]
    assert unranked == sorted(unranked)  # the rest in the model's order


def test_within_the_bound_the_order_is_the_full_ranking():
    for n in range(4):
        make_practice(title=f"Quorble plan {n}", summary="quorble " * (n * 3 + 1))
    assert search.SEARCH_CANDIDATES >= 4
    ranked = list(Practice.objects.search("quorble"))
    assert [p.title for p in ranked][0] == "Quorble plan 3"
    assert all(p.search_rank > 0 for p in ranked)
