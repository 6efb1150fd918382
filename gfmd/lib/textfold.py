"""Comparing a quotation with the text it quotes, as a reader would.

Text extracted from PDFs differs from what a reader sees in ways that do not change the words:
runs of white space, words hyphenated across a line break ("tempo- rary"), Markdown emphasis
markers, typographic quotes and dashes, accents and case. Both sides are folded the same way
before the quotation is looked for in the text.
"""

from __future__ import annotations

import re

from gfmd.lib.search import fold

_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'", "–": "-", "—": "-", "\u00a0": " "}
)
_HYPHEN_BREAK = re.compile(r"(\w)- (\w)")


def normalise(text: str) -> str:
    """White space, emphasis markers, quotes, dashes and line-break hyphens folded."""
    text = text.translate(_QUOTES).replace("*", "")
    text = " ".join(text.split())
    return _HYPHEN_BREAK.sub(r"\1\2", text)


def folded(text: str) -> str:
    """`normalise`, and accents and case folded too."""
    return fold(normalise(text)).casefold()


def contains(text: str, quotation: str) -> bool:
    """Whether the quotation stands in the text, once both are folded. A hyphenated compound may
    be split on a line break, so the comparison is also made without hyphens."""
    wanted = folded(quotation)
    if not wanted:
        return False
    window = folded(text)
    return wanted in window or wanted.replace("-", "") in window.replace("-", "")
