"""The search test set (`queries.yaml`): each query must bring its record to the rank given,
counted in the order the search page shows its results. `python -m tests.search.score` prints
the hit rate of the whole set."""

from pathlib import Path

import pytest
import yaml

from tests.search.ranking import rank_of, result_links

QUERIES = yaml.safe_load((Path(__file__).parent / "queries.yaml").read_text())

pytestmark = pytest.mark.django_db


def cases():
    for case in QUERIES:
        marks = ()
        if case.get("known_miss"):
            marks = pytest.mark.xfail(strict=True, reason=case["known_miss"])
        yield pytest.param(case, marks=marks, id=f"{case['query']} within {case['within']}")


@pytest.mark.parametrize("case", cases())
def test_query_brings_its_record(client, case):
    links = result_links(client, case["query"])
    rank = rank_of(links, case["expect"])
    assert rank is not None and rank <= case["within"], (case, links[:5])
