"""Checking that cited excerpts really stand in the cited lines of the source documents.

The seed files are text extracted from PDFs, so an excerpt is compared after normalising what the
extraction changed but the reader did not see: runs of white space, words hyphenated across a line
break ("tempo- rary"), markdown emphasis markers and typographic quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'", "–": "-", "—": "-", "\u00a0": " "}
)
_HYPHEN_BREAK = re.compile(r"(\w)- (\w)")


def normalise(text: str) -> str:
    text = text.translate(_QUOTES).replace("*", "")
    text = " ".join(text.split())
    return _HYPHEN_BREAK.sub(r"\1\2", text)


@lru_cache(maxsize=16)
def seed_lines(seed_file: str) -> tuple[str, ...]:
    path = Path(settings.SEEDS_DIR) / seed_file
    return tuple(path.read_text(encoding="utf-8").splitlines())


@dataclass(frozen=True)
class Problem:
    message: str


def check_excerpt(seed_file: str, line_start: int, line_end: int, excerpt: str) -> Problem | None:
    """Return None when the excerpt stands within the lines, else what is wrong."""
    try:
        lines = seed_lines(seed_file)
    except FileNotFoundError:
        return Problem(f"seed file {seed_file} not found in {settings.SEEDS_DIR}")
    if not (1 <= line_start <= line_end <= len(lines)):
        return Problem(f"lines {line_start}-{line_end} are outside the file's {len(lines)} lines")
    words = len(excerpt.split())
    if words > 60:
        return Problem(f"excerpt has {words} words; keep it short (about 40 at most)")
    window = normalise(" ".join(lines[line_start - 1 : line_end]))
    wanted = normalise(excerpt)
    if not wanted:
        return Problem("excerpt is empty")
    # Compare without hyphen joins too, since a hyphenated compound may be split on a line break.
    if wanted in window or wanted.replace("-", "") in window.replace("-", ""):
        return None
    whole = normalise(" ".join(lines))
    if wanted in whole:
        return Problem("excerpt is in the document but not within the cited lines")
    return Problem("excerpt not found in the document")
