"""Print the hit rate of the search test set against the database of DATABASE_URL:
`python -m tests.search.score` (from the repository root)."""

import os
from pathlib import Path

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd.settings")
    django.setup()
    import yaml
    from django.test import Client
    from django.test.utils import setup_test_environment

    from tests.search.ranking import rank_of, result_links

    setup_test_environment()
    client = Client()
    cases = yaml.safe_load((Path(__file__).parent / "queries.yaml").read_text())
    hits = 0
    for case in cases:
        rank = rank_of(result_links(client, case["query"]), case["expect"])
        ok = rank is not None and rank <= case["within"]
        hits += ok
        verdict = "hit " if ok else "MISS"
        print(f"{verdict} rank {rank or '-':>3} (need {case['within']}) {case['query']}")
    print(f"{hits}/{len(cases)} = {hits / len(cases):.0%}")


if __name__ == "__main__":
    main()
