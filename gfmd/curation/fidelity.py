"""Checking that cited excerpts really stand in the cited lines of the source documents.

The seed files are text extracted from PDFs, so an excerpt is compared after normalising what the
extraction changed but the reader did not see: runs of white space, words hyphenated across a line
break ("tempo- rary"), markdown emphasis markers and typographic quotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings

from gfmd.lib.textfold import contains, folded, normalise

__all__ = ["check_excerpt", "check_fixture_files", "normalise"]


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
    if not normalise(excerpt):
        return Problem("excerpt is empty")
    if contains(" ".join(lines[line_start - 1 : line_end]), excerpt):
        return None
    if folded(excerpt) in folded(" ".join(lines)):
        return Problem("excerpt is in the document but not within the cited lines")
    return Problem("excerpt not found in the document")


def iter_citations(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "citations" and isinstance(value, list):
                for index, citation in enumerate(value, start=1):
                    yield f"{path} > citation {index}", citation
            else:
                yield from iter_citations(value, f"{path}/{key}" if path else key)
    elif isinstance(node, list):
        for index, item in enumerate(node, start=1):
            label = ""
            if isinstance(item, dict):
                label = (
                    item.get("slug")
                    or item.get("code")
                    or item.get("name")
                    or item.get("number")
                    or ""
                )
            yield from iter_citations(item, f"{path}[{index}{':' + str(label) if label else ''}]")


def seed_files_of_sources(sources_file: Path) -> dict[str, str]:
    """Document slug -> seed file, from the curated sources file."""
    return {
        source["slug"]: source["seed_file"] for source in yaml.safe_load(sources_file.read_text())
    }


def check_fixture_files(paths: list[Path], documents: dict[str, str]):
    """(file, where, problem) for each citation of the curated YAML `paths` whose excerpt does not
    stand in its cited lines; and the number of citations checked, returned last."""
    checked = 0
    problems = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for where, citation in iter_citations(data):
            checked += 1
            seed = documents.get(citation.get("document"))
            lines = citation.get("lines") or [0, 0]
            if seed is None:
                problem = f"unknown document {citation.get('document')!r}"
            else:
                found = check_excerpt(seed, lines[0], lines[-1], str(citation.get("excerpt", "")))
                problem = found.message if found else None
            if problem:
                problems.append((path, where, problem))
    return problems, checked
