"""Synthetic practices and recommendations, a batch at a time: text cut from a model record and
the vocabulary, relations and citations following that record."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from django.db import connection
from django.utils.text import slugify

from gfmd.curation.synthetic.corpus import Corpus, Model
from gfmd.curation.synthetic.sampling import PHRASE_SHARE, UNPUBLISHED_SHARE
from practices.models import Practice
from roundtables.models import Recommendation

COMMA_SHARE = 0.06
LOG_NO_COMMA = math.log(1.0 - COMMA_SHARE)


class Writer:
    """Makes text and picks relations for one synthetic record at a time."""

    def __init__(self, corpus: Corpus, rng: random.Random):
        self.corpus = corpus
        self.rng = rng

    # Millions of words are drawn: `random()` scaled by hand costs a fraction of randrange() and
    # randint(), which is what keeps a million practices within minutes.

    def words(self, model: Model, n: int, pool: list[str] | None = None) -> list[str]:
        pool = pool or model.words
        rng, random, size = self.rng, self.rng.random, len(pool)
        vocabulary = self.corpus.vocabulary
        out: list[str] = []
        while len(out) < n:
            if size and random() < PHRASE_SHARE:
                start = int(random() * size)
                out += pool[start : start + 3 + int(random() * 7)]  # a phrase of 3 to 9 words
            else:
                out += vocabulary.many(rng, 1 + int(random() * 3))
        return out[:n]

    def prose(self, model: Model, n: int) -> str:
        if n <= 0:
            return ""
        words = self.words(model, n)
        random = self.rng.random
        sentences = []
        while words:
            length = 10 + int(random() * 19)  # 10 to 28 words
            sentence, words = words[:length], words[length:]
            # A comma after each inner word with probability COMMA_SHARE: the gaps between
            # commas are geometric, so one draw per comma instead of one per word.
            i = 1 + int(math.log(1.0 - random()) / LOG_NO_COMMA)
            while i < len(sentence) - 1:
                sentence[i] += ","
                i += 1 + int(math.log(1.0 - random()) / LOG_NO_COMMA)
            text = " ".join(sentence).rstrip(",")
            sentences.append(text[:1].upper() + text[1:] + ".")
        return " ".join(sentences)

    def title(self, model: Model, n: int, limit: int) -> str:
        n = max(2, n)
        random = self.rng.random
        lead = 1 + int(random() * max(1, min(5, n - 1)))
        pool = model.title_words or model.words
        start = int(random() * len(pool))
        words = pool[start : start + lead] + self.words(model, n - lead)[: n - lead]
        text = " ".join(words)
        return (text[:1].upper() + text[1:])[:limit]

    def jitter(self, n: int) -> int:
        return max(0, round(n * self.rng.uniform(0.6, 1.4)))


@dataclass
class Batch:
    records: list = field(default_factory=list)
    links: dict[str, list[tuple[int, list[int]]]] = field(default_factory=dict)
    citations: list[list[tuple]] = field(default_factory=list)

    def link(self, name: str, index: int, ids: list[int]) -> None:
        if ids:
            self.links.setdefault(name, []).append((index, sorted(set(ids))))


def next_number(model) -> int:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(MAX(substring(slug from '^synthetic-([0-9]+)-')::bigint), 0) "
            f"FROM {table} WHERE synthetic"
        )
        return cursor.fetchone()[0] + 1


def slug_for(number: int, title: str, limit: int) -> str:
    return f"synthetic-{number}-{slugify(title)}"[:limit].rstrip("-")


def practice_batch(writer: Writer, numbers: range) -> Batch:
    corpus, rng = writer.corpus, writer.rng
    batch = Batch()
    for index, number in enumerate(numbers):
        model = corpus.models.one(rng)
        shape = rng.choice(corpus.practice_shapes)
        lengths = rng.choice(corpus.practice_lengths)
        title = writer.title(model, writer.jitter(lengths[0]), 255)
        scope = model.scope if model.scope and rng.random() < 0.5 else shape["scope"]
        kind = model.type if model.type and rng.random() < 0.5 else shape["type"]
        year = shape["start_year"]
        if year:
            year = min(2030, max(1900, year + rng.randint(-4, 4)))
        batch.records.append(
            Practice(
                slug=slug_for(number, title, 150),
                title=title,
                summary=writer.prose(model, max(8, writer.jitter(lengths[1]))),
                description=writer.prose(model, writer.jitter(lengths[2])),
                results=writer.prose(model, writer.jitter(lengths[3])),
                scope=scope,
                type=kind,
                start_year=year,
                status="published" if rng.random() >= UNPUBLISHED_SHARE else "draft",
                synthetic=True,
            )
        )
        themes = [t for t in model.themes if rng.random() < 0.85]
        if not themes or rng.random() < 0.25:
            themes += corpus.themes.distinct(rng, rng.choice((1, 1, 1, 2)))
        batch.link("themes", index, themes)
        countries = [c for c in model.countries if rng.random() < 0.5]
        extra = shape["countries"] - len(countries)
        batch.link("countries", index, countries + corpus.countries.distinct(rng, extra))
        batch.link(
            "partner_countries", index, corpus.countries.distinct(rng, shape["partner_countries"])
        )
        batch.link(
            "organisations", index, corpus.organisations.distinct(rng, shape["organisations"])
        )
        sessions = [s for s in model.sessions if rng.random() < 0.7]
        if not sessions and rng.random() < 0.4:
            sessions = corpus.sessions.distinct(rng, 1)
        batch.link("sessions", index, sessions)
        batch.link("rcps", index, corpus.rcps.distinct(rng, shape["rcps"]))
        batch.citations.append(pick_citations(rng, model, shape["citations"], corpus))
    return batch


def recommendation_batch(writer: Writer, numbers: range, session_numbers: dict[int, int]) -> Batch:
    corpus, rng = writer.corpus, writer.rng
    batch = Batch()
    for index, number in enumerate(numbers):
        session = corpus.sessions.one(rng)
        model = rng.choice(corpus.session_models.get(session) or [corpus.models.one(rng)])
        shape = rng.choice(corpus.recommendation_shapes)
        lengths = rng.choice(corpus.recommendation_lengths)
        title = writer.title(model, writer.jitter(lengths[0]), 255)
        serial = session_numbers[session] = session_numbers.get(session, 0) + 1
        batch.records.append(
            Recommendation(
                session_id=session,
                number=f"S{serial}",
                position=min(serial, 32767),
                slug=slug_for(number, title, 120),
                title=title,
                text=writer.prose(model, max(8, writer.jitter(lengths[1]))),
                status=shape["status"],
                synthetic=True,
            )
        )
        themes = [t for t in model.themes or corpus.session_themes[session] if rng.random() < 0.8]
        batch.link("themes", index, themes)
        batch.link("actors", index, corpus.actors.distinct(rng, shape["actors"]))
        batch.citations.append(pick_citations(rng, model, shape["citations"], corpus))
    return batch


def pick_citations(rng: random.Random, model: Model, n: int, corpus: Corpus) -> list[tuple]:
    """Real citations of the model record: the generated record cites what its model cites."""
    pool = model.citations or corpus.models.one(rng).citations
    if not pool or n <= 0:
        return []
    return [rng.choice(pool) for _ in range(n)]
