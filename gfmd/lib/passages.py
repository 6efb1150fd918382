"""Splitting a document's text into passages: paragraphs and headings, with their positions.

The input is the text of a plain-text or Markdown file, or the text of each page of a PDF. The
documents are mostly text extracted from PDFs, so a paragraph is a run of lines between blank
lines, further split where a line is a list item, a numbered paragraph or a short line that ends
a sentence (the last line of a paragraph in text that has no blank lines). A paragraph cut by a
page break (it ends without a full stop and the next one starts in lower case) is joined again.

Headings are single-line blocks that look like the documents' headings:

- Markdown headings (`# Title`, `## Part`);
- Roman-numbered parts (`I. Introduction`, `III. THE MEETING`), level 1;
- lettered sections of a UN report (`A. Global Forum ...`), level 2;
- numbered sections (`2. – GOVERNMENTAL DAYS` level 2, `2.1. – ...` level 3, one more per number);
- short numbered titles (`1. Stepped-up practical measures ...`), level 3;
- `Session 1.1 – ...` and `Theme 2 – ...` of a roundtable report, and dash-led sub-headings
  (`– Panel discussion`) below them;
- short lines in capitals (`EXECUTIVE SUMMARY`), level 1; one that repeats the heading it is
  under is a running head of the printed page, kept as page furniture; one printed above a
  block of capitals lines is a signatory's name above their office, a paragraph.

A dash-led line that ends with a dash (`– First meeting –`, a line of a title page) or a colon
(a list's lead-in) is not a heading.

A UN document's numbered paragraphs (`1. The High-level Dialogue ...`) keep their numbers. Every
passage has an anchor, stable for the same text: `p-<number>` for a numbered paragraph whose
number is unique in the document, else `l-<first line>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING = "heading"
PARAGRAPH = "paragraph"
FURNITURE = "furniture"

_MARKDOWN = re.compile(r"^(#{1,6})\s+(\S.*)$")
_ROMAN = re.compile(r"^[IVX]{1,5}\.\s+\S")
_LETTER = re.compile(r"^[A-H]\.\s+[A-Z]")
_NUMBERED_DASH = re.compile(r"^\d{1,2}\.\s+[–-]\s+\S")
_SECTION = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+\S")
_SHORT_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+\S")
_SESSION = re.compile(r"^(Session|Theme)\s+\d+(\.\d+)?\s+[–-]\s+\S")
_DASH_SUB = re.compile(r"^–\s+\*?[A-Z]")
_BULLET = re.compile(r"^[-•*]\s+(?!\*)")
_PARA_NUMBER = re.compile(r"^(?:[-–•]\s+)?(\d{1,3})\.\s+(?=[A-Z“\"'(])")
_SENTENCE_END = re.compile(r"[.!?:;\"”’)]\s*$")
_EMPHASIS = re.compile(r"\*+")
_DIGIT = re.compile(r"\d")

MAX_HEADING = 160


@dataclass
class Passage:
    kind: str
    text: str
    line_start: int
    line_end: int
    level: int = 0
    number: str = ""
    section: str = ""
    page: int | None = None
    anchor: str = ""
    position: int = 0
    lines: list[str] = field(default_factory=list, repr=False)


def plain(text: str) -> str:
    """A heading or excerpt without Markdown emphasis and with single spaces."""
    return " ".join(_EMPHASIS.sub("", text).split())


def heading_level(line: str, markdown: bool = False) -> int:
    """The level of a heading line (1 is a part), or 0 when the line is not a heading."""
    if markdown:
        found = _MARKDOWN.match(line)
        if found:
            return len(found.group(1))
    if "\t" in line or len(line) > MAX_HEADING:
        return 0
    bare = plain(line)
    if not bare or bare.endswith((".", ",", ";")):
        return 0
    if _SESSION.match(bare):
        return 5
    if _ROMAN.match(bare):
        return 1
    if _NUMBERED_DASH.match(bare):
        return 2
    found = _SECTION.match(bare)
    if found:
        return found.group(1).count(".") + 2
    if _LETTER.match(bare) and len(bare) <= 120:
        return 2
    if _SHORT_NUMBERED.match(bare) and len(bare) <= 100 and not bare.endswith(":"):
        return 3
    if (
        line.lstrip().startswith("–")
        and _DASH_SUB.match(line.strip())
        and len(bare) <= 80
        and not bare.endswith(("–", ":"))
    ):
        # not a line of a title block ("– First meeting –") or a list's lead-in ("This implies :")
        return 6
    letters = [ch for ch in bare if ch.isalpha()]
    if len(letters) >= 4 and bare.isupper() and len(bare) <= 100 and not _DIGIT.search(bare):
        return 1
    return 0


def split_text(text: str, *, markdown: bool = False) -> list[Passage]:
    """The passages of a text file (lines numbered from 1)."""
    lines = text.splitlines()
    return _split(lines, [None] * len(lines), markdown=markdown, pdf=False)


def split_pages(pages: list[str]) -> list[Passage]:
    """The passages of a document given page by page; lines are numbered across the pages, and
    each passage has the page of its first line."""
    lines: list[str] = []
    page_of: list[int | None] = []
    for number, page in enumerate(pages, start=1):
        page_lines = page.splitlines()
        lines.extend(page_lines)
        page_of.extend([number] * len(page_lines))
        lines.append("")  # a page break ends a paragraph, unless it is joined again below
        page_of.append(number)
    return _split(lines, page_of, markdown=False, pdf=True)


def _split(
    lines: list[str], page_of: list[int | None], *, markdown: bool, pdf: bool
) -> list[Passage]:
    raw = _blocks(lines, markdown=markdown, pdf=pdf)
    passages: list[Passage] = []
    for passage in raw:
        passage.page = page_of[passage.line_start - 1] if page_of else None
        previous = passages[-1] if passages else None
        if previous is not None and _continues(previous, passage, lines):
            previous.lines.extend(passage.lines)
            previous.line_end = passage.line_end
            continue
        passages.append(passage)
    _classify(passages, markdown=markdown)
    return passages


def _blocks(lines: list[str], *, markdown: bool, pdf: bool) -> list[Passage]:
    """Runs of non-blank lines, cut before list items, numbered paragraphs and headings, and
    after a short line that ends a sentence. Text extracted from a PDF has no blank lines, so
    there a heading line is also cut from the lines around it."""
    passages: list[Passage] = []
    current: Passage | None = None
    widest = 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            current = None
            continue
        starts_new = current is None or (
            _BULLET.match(stripped)
            or _PARA_NUMBER.match(stripped)
            or (markdown and _MARKDOWN.match(stripped))
        )
        if not starts_new and current is not None:
            last = current.lines[-1]
            short = len(last) < 0.8 * widest
            if short and _SENTENCE_END.search(last) and stripped[:1].isupper():
                starts_new = True
            if markdown and _MARKDOWN.match(last):
                starts_new = True
            if pdf and len(current.lines) == 1 and heading_level(last):
                starts_new = True
            if pdf and heading_level(stripped) and _SENTENCE_END.search(last):
                starts_new = True
        if starts_new:
            current = Passage(PARAGRAPH, "", number, number)
            passages.append(current)
            widest = 0
        current.lines.append(stripped)
        current.line_end = number
        widest = max(widest, len(stripped))
    return passages


def _continues(previous: Passage, passage: Passage, lines: list[str]) -> bool:
    """A paragraph cut by a page break: the first ends mid-sentence, the second starts in lower
    case, and only blank lines stand between them."""
    first = _BULLET.sub("", passage.lines[0])
    if not first[:1].islower() or _SENTENCE_END.search(previous.lines[-1]):
        return False
    if len(previous.lines) == 1 and heading_level(previous.lines[0]):
        return False
    between = lines[previous.line_end : passage.line_start - 1]
    return all(not line.strip() for line in between)


def _signature(passage: Passage, following: list[Passage]) -> bool:
    """A name in capitals above the signatory's office, itself in capitals over several lines
    ("PETER SUTHERLAND" / "SPECIAL REPRESENTATIVE / OF THE SECRETARY GENERAL ..."): the end of a
    foreword or a letter, not a heading."""
    if not following or not plain(passage.text).isupper() or _ROMAN.match(plain(passage.text)):
        return False
    office = following[0].lines
    # not a table of contents (tabs, page numbers) nor an emphasised title ("**SPEECH BY ...**")
    return len(office) >= 2 and all(
        plain(line).isupper() and not re.search(r"[\t*\d]", line) for line in office
    )


def _classify(passages: list[Passage], *, markdown: bool) -> None:
    stack: list[tuple[int, str]] = []
    numbers: dict[str, int] = {}
    titles_numbered = 0  # the number of the last short numbered title ("2. Enhanced ...")
    for position, passage in enumerate(passages, start=1):
        passage.position = position
        passage.text = "\n".join(passage.lines)
        level = 0
        if len(passage.lines) == 1:
            level = heading_level(passage.lines[0], markdown)
        elif len(passage.lines) == 2 and _SECTION.match(passage.lines[0]):
            # a numbered section title printed on two lines
            level = heading_level(" ".join(passage.lines))
        if level == 1 and _signature(passage, passages[position:]):
            level = 0
        if level == 3 and not _SECTION.match(plain(passage.text)):
            # A short numbered line is a title only in sequence (1., 2., 3.): otherwise it is an
            # item of a numbered list ("2. That the Forum be invited to consider").
            number = int(re.match(r"\d+", plain(passage.text)).group())
            if number == titles_numbered + 1 or number == 1:
                titles_numbered = number
            else:
                level = 0
        if level:
            title = plain(_MARKDOWN.sub(r"\2", passage.text) if markdown else passage.text)
            if stack and stack[-1][1].casefold() == title.casefold() and level == 1:
                passage.kind = FURNITURE
            else:
                passage.kind = HEADING
                passage.level = level
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, title))
        else:
            found = _PARA_NUMBER.match(passage.lines[0])
            if found:
                passage.number = found.group(1)
                numbers[passage.number] = numbers.get(passage.number, 0) + 1
        path = [title for _, title in stack]
        if passage.kind == HEADING:
            path = path[:-1]
        passage.section = " > ".join(path)[:500]
    for passage in passages:
        if passage.number and numbers[passage.number] == 1:
            passage.anchor = f"p-{passage.number}"
        else:
            passage.anchor = f"l-{passage.line_start}"
