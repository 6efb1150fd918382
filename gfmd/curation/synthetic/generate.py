"""Adding synthetic records: text made here, batches streamed to PostgreSQL with COPY in one
transaction."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from queue import Full, Queue
from typing import TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from gfmd.curation.synthetic.corpus import Corpus
from gfmd.curation.synthetic.database import SYNTHESIZED, write_batch
from gfmd.curation.synthetic.people import People, participation_batch
from gfmd.curation.synthetic.records import (
    Writer,
    next_number,
    practice_batch,
    recommendation_batch,
)
from practices.models import Practice
from roundtables.models import Participation, Recommendation

T = TypeVar("T")


def made_ahead(items: Iterator[T], ahead: int = 2) -> Iterator[T]:
    """The items of `items`, made by a thread of their own up to `ahead` items before they are
    asked for; an exception in the thread is raised here."""
    queue: Queue = Queue(maxsize=ahead)
    stop = threading.Event()
    end = object()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False  # the consumer has gone

    def make() -> None:
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((end, None))
        except BaseException as exc:  # handed to the consumer, raised there
            put((end, exc))

    thread = threading.Thread(target=make, name="synthesize-batches", daemon=True)
    thread.start()
    try:
        while True:
            item, error = queue.get()
            if error is not None:
                raise error
            if item is end:
                return
            yield item
    finally:
        stop.set()
        thread.join()


def synthesize(
    *,
    practices: int,
    recommendations: int,
    seed: int,
    participations: int = 0,
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
) -> dict[str, int]:
    """Add synthetic records, calling `progress` with the size of each batch written, and return
    how many of each model were added.

    Everything is one transaction, so the data version rises once and an interrupted run leaves
    nothing behind. Each batch is streamed with COPY, and a thread makes the next batches while
    the server computes the search vectors of this one, so Python and PostgreSQL work at the same
    time (the thread holds the interpreter while the COPY waits on the server). Call `analyze()`
    afterwards, before measuring anything."""
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

    done = progress or (lambda n: None)
    with transaction.atomic(), connection.cursor() as cursor:
        for model, batch in made_ahead(batches()):
            write_batch(cursor, model, batch, content_types[model])
            done(len(batch.records))
    return {
        "practices.practice": practices,
        "roundtables.recommendation": recommendations,
        "roundtables.participation": participations,
    }
