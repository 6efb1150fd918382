"""Adding synthetic records: text made in this thread, batches written by a few others."""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from gfmd.curation.synthetic.corpus import Corpus
from gfmd.curation.synthetic.database import SYNTHESIZED, analyze, write_batch
from gfmd.curation.synthetic.people import People, participation_batch
from gfmd.curation.synthetic.records import (
    Batch,
    Writer,
    next_number,
    practice_batch,
    recommendation_batch,
)
from practices.models import Practice
from roundtables.models import Participation, Recommendation


def synthesize(
    *,
    practices: int,
    recommendations: int,
    seed: int,
    participations: int = 0,
    batch_size: int = 2000,
    jobs: int = 2,
    progress: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Add synthetic records, calling `progress` with the size of each batch written, and return
    how many of each model were added. Text is made in this thread while `jobs` threads write
    batches, each on its own connection and in its own transaction: PostgreSQL computing the
    search vectors is most of the cost, and it then runs on every core. Inside a transaction (a
    test) everything is written on this connection instead, so it stays inside that transaction."""
    first_practice = next_number(Practice)
    first_recommendation = next_number(Recommendation)
    # Seeded by what is already there too, so a second run adds new records, not copies.
    rng = random.Random(f"{seed}:{first_practice}:{first_recommendation}")
    corpus = Corpus.from_database(rng)
    writer = Writer(corpus, rng)
    session_numbers: dict[int, int] = {}
    for session, number in Recommendation.objects.filter(
        synthetic=True, number__startswith="S"
    ).values_list("session_id", "number"):
        if number[1:].isdigit():
            session_numbers[session] = max(session_numbers.get(session, 0), int(number[1:]))
    content_types = ContentType.objects.get_for_models(*SYNTHESIZED)
    if participations:
        people = People.from_database()
        # Its own generator, so adding participations leaves the practices and recommendations
        # of a seed as they were; seeded by what is there too, like the other.
        existing = Participation.objects.filter(synthetic=True).count()
        people_rng = random.Random(f"{seed}:participations:{existing}")

    def batches():
        last = first_practice + practices
        for start in range(first_practice, last, batch_size):
            numbers = range(start, min(start + batch_size, last))
            yield Practice, practice_batch(writer, numbers)
        last = first_recommendation + recommendations
        for start in range(first_recommendation, last, batch_size):
            numbers = range(start, min(start + batch_size, last))
            yield Recommendation, recommendation_batch(writer, numbers, session_numbers)
        for start in range(0, participations, batch_size):
            count = min(batch_size, participations - start)
            yield Participation, participation_batch(people, corpus.sessions, people_rng, count)

    def write(model, batch: Batch) -> int:
        try:
            write_batch(model, batch, content_types[model], batch_size)
        finally:
            if threaded:
                connection.close()  # this thread's own connection
        return len(batch.records)

    threaded = jobs > 1 and not connection.in_atomic_block
    done = progress or (lambda n: None)
    if not threaded:
        for model, batch in batches():
            done(write(model, batch))
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            pending: list[Future] = []
            for model, batch in batches():
                pending.append(pool.submit(write, model, batch))
                while len(pending) > jobs:
                    done(pending.pop(0).result())
            for future in pending:
                done(future.result())
    analyze()
    return {
        "practices.practice": practices,
        "roundtables.recommendation": recommendations,
        "roundtables.participation": participations,
    }
