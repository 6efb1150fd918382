"""Drawing with long-tailed (Zipf) weights, and the words of a text."""

from __future__ import annotations

import bisect
import itertools
import random
import re
from collections import Counter

WORD = re.compile(r"\w[\w'’-]*\w|\w")

# Zipf exponents: which curated record a synthetic one is modelled on; words by frequency rank
# (with Mandelbrot's offset, so the commonest words are not overwhelmingly common); countries,
# organisations, sessions, RCPs and actors by curated popularity.
SOURCE_EXPONENT = 0.6
WORD_EXPONENT = 1.1
WORD_OFFSET = 10.0
ENTITY_EXPONENT = 1.0
# Share of a text cut as phrases from its model record; the rest is drawn from the vocabulary.
# With these values a broad topic ("remittances") matches 10-20% of the synthetic practices and
# a specific one ("nurses", "brain drain") 0.5-5%, as in the curated data.
PHRASE_SHARE = 0.8
UNPUBLISHED_SHARE = 0.01


def zipf_cumulative(n: int, exponent: float, offset: float = 0.0) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(1, n + 1)))


class Zipf:
    """Draws items ranked best-first with Zipf(-Mandelbrot) weights."""

    def __init__(self, items, exponent: float, offset: float = 0.0):
        self.items = list(items)
        self.cumulative = zipf_cumulative(len(self.items), exponent, offset)
        self.total = self.cumulative[-1] if self.items else 0.0

    def one(self, rng: random.Random):
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total)]

    def many(self, rng: random.Random, k: int) -> list:
        return rng.choices(self.items, cum_weights=self.cumulative, k=k)

    def distinct(self, rng: random.Random, k: int) -> list:
        k = min(k, len(self.items))
        chosen: list = []
        for _ in range(k * 20):
            if len(chosen) == k:
                break
            item = self.one(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen


def ranked(popularity: Counter, ids: list[int], rng: random.Random) -> list[int]:
    """Ids ordered by curated popularity, the never-used ones after them in a random order."""
    used = [pk for pk, _ in popularity.most_common()]
    rest = [pk for pk in ids if pk not in popularity]
    rng.shuffle(rest)
    return used + rest


def words_of(*texts: str) -> list[str]:
    return [word for text in texts if text for word in WORD.findall(text)]
