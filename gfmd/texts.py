"""Reading a source document's text into passages, and keeping its citations pinned to them.

`document_ingest()` is the one write path of a document's text: the admin's upload, the API's
`POST /api/v1/sources/` and the seed documents (`gfmd.curation.ingest`) all go through it. It
checks the file, splits it (`gfmd.lib.passages`) and, in one transaction, replaces the passages
and re-pins every citation of the document: a citation whose excerpt still stands in the passage
of its lines (or in its old passage's unchanged text) is kept; any other is unpinned and marked
with a problem for a curator, never deleted or moved to another place silently.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gfmd.lib import passages as splitter
from gfmd.lib.textfold import contains
from gfmd.models import Citation, Passage, SourceDocument, TextFormat
from gfmd.models.sources import spanning_start

logger = logging.getLogger(__name__)

EXTENSIONS = {
    ".txt": TextFormat.TEXT,
    ".text": TextFormat.TEXT,
    ".md": TextFormat.MARKDOWN,
    ".markdown": TextFormat.MARKDOWN,
    ".pdf": TextFormat.PDF,
}


class IngestError(Exception):
    """The file was refused; nothing was changed. The message says why."""


@dataclass
class ParsedText:
    format: str
    passages: list[splitter.Passage]
    line_count: int
    page_count: int | None = None


@dataclass
class IngestReport:
    unchanged: bool = False
    passages: int = 0
    kept: int = 0
    unpinned: list[Citation] = field(default_factory=list)


def max_bytes() -> int:
    return int(getattr(settings, "SOURCE_MAX_BYTES", 10 * 1024 * 1024))


def parse_file(name: str, data: bytes) -> ParsedText:
    """The passages of an uploaded file, or IngestError naming what is wrong with it."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in EXTENSIONS:
        shown = suffix or "no extension"
        raise IngestError(
            f"{name or 'The file'}: unsupported type ({shown}); upload a .txt, .md or .pdf file."
        )
    if not data:
        raise IngestError(f"{name}: the file is empty.")
    if len(data) > max_bytes():
        raise IngestError(
            f"{name}: the file is {len(data) / 1_048_576:.1f} MB; the largest accepted is "
            f"{max_bytes() / 1_048_576:.0f} MB."
        )
    kind = EXTENSIONS[suffix]
    if kind == TextFormat.PDF:
        pages = _pdf_pages(name, data)
        passages = splitter.split_pages(pages)
        line_count = sum(len(page.splitlines()) + 1 for page in pages)
        parsed = ParsedText(kind, passages, line_count, page_count=len(pages))
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise IngestError(
                f"{name}: not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8."
            ) from None
        if "\x00" in text:
            raise IngestError(f"{name}: holds NUL bytes; it is not a text file.")
        passages = splitter.split_text(text, markdown=kind == TextFormat.MARKDOWN)
        parsed = ParsedText(kind, passages, len(text.splitlines()))
    if not parsed.passages:
        raise IngestError(f"{name}: no text found in the file.")
    return parsed


def _pdf_pages(name: str, data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise IngestError(f"{name}: not a PDF file (it does not start with %PDF-).")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError(f"{name}: the PDF is encrypted; upload an unprotected copy.")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(f"{name}: the PDF cannot be read ({exc}).") from None
    if not any(page.strip() for page in pages):
        raise IngestError(
            f"{name}: the PDF has no text layer (a scan?); only PDFs with text can be read."
        )
    return pages


@transaction.atomic
def document_ingest(
    *, document: SourceDocument, name: str, data: bytes, force: bool = False
) -> IngestReport:
    """Replace the document's text with the file's, unless it is the text already loaded."""
    digest = hashlib.sha256(data).hexdigest()
    if document.has_text and document.text_sha256 == digest and not force:
        return IngestReport(unchanged=True, passages=document.passages.count())
    parsed = parse_file(name, data)
    old_text = dict(Passage.objects.filter(document=document).values_list("pk", "text"))
    citations = list(Citation.objects.filter(document=document).order_by("pk"))
    Citation.objects.filter(document=document).update(passage=None)
    Passage.objects.filter(document=document).delete()
    created = Passage.objects.bulk_create(
        Passage(
            document=document,
            position=p.position,
            anchor=p.anchor,
            kind=p.kind,
            level=p.level,
            number=p.number,
            section=p.section,
            page=p.page,
            line_start=p.line_start,
            line_end=p.line_end,
            text=p.text,
        )
        for p in parsed.passages
    )
    # The state of the loaded text is not a curator's edit: no new version, no history entry.
    state = {
        "text_format": parsed.format,
        "text_sha256": digest,
        "line_count": parsed.line_count,
        "page_count": parsed.page_count,
        "ingested_at": timezone.now(),
    }
    SourceDocument.objects.filter(pk=document.pk).update(**state)
    for name, value in state.items():
        setattr(document, name, value)
    report = IngestReport(passages=len(created))
    _repin(citations, created, old_text, report)
    return report


def _repin(citations, passages, old_text, report: IngestReport) -> None:
    readable = [p for p in passages if p.kind != splitter.FURNITURE]
    index: dict[str, int] = {}
    for i, passage in enumerate(readable):
        index.setdefault(passage.text, i)
    changed = []
    for citation in citations:
        span = _pinned(citation, readable, index, old_text.get(citation.passage_id))
        if span is None:
            citation.passage = None
            citation.problem = (
                f"The new text of the document does not hold this excerpt at "
                f"{citation.lines or 'its place'}: find it again and re-cite."
            )[:500]
            report.unpinned.append(citation)
        else:
            first, last = span
            citation.passage = first
            inside = citation.line_start is not None and (
                first.line_start <= citation.line_start and citation.line_end <= last.line_end
            )
            if not inside:  # the text moved: the lines are those of the passages now quoted
                citation.line_start, citation.line_end = first.line_start, last.line_end
            citation.problem = ""
            report.kept += 1
        changed.append(citation)
    # Re-pinning changes no curated words; it is not recorded as an edit in the history.
    Citation.objects.bulk_update(
        changed, ["passage", "line_start", "line_end", "problem"], batch_size=500
    )


# An excerpt of at most about 40 words runs over a few passages at most (list items).
MAX_SPAN = 20


def _pinned(citation, readable, index, old_text) -> tuple[Passage, Passage] | None:
    """The first and last passages that now hold the citation's excerpt: at its lines, else
    from its old passage's text, unchanged at another place (the lines before it changed).
    None when neither holds it."""
    excerpt = citation.excerpt
    if citation.line_start is not None:
        covering = [p for p in readable if _overlaps(citation, p)]
        for passage in covering:
            if contains(passage.text, excerpt):
                return passage, passage
        start = spanning_start(covering, excerpt)
        if start is not None:
            return start, _span_end(covering, covering.index(start), excerpt)
    at = index.get(old_text) if old_text else None
    if at is not None:
        end = _span_from(readable[at : at + MAX_SPAN], excerpt)
        if end is not None:
            return readable[at], end
    return None


def _span_from(passages, excerpt: str) -> Passage | None:
    """The last passage of the shortest run from the first that holds the excerpt, provided the
    excerpt starts in the first (the run without it does not hold it); else None."""
    for end in range(len(passages)):
        if contains(" ".join(p.text for p in passages[: end + 1]), excerpt):
            rest = " ".join(p.text for p in passages[1 : end + 1])
            return passages[end] if end == 0 or not contains(rest, excerpt) else None
    return None


def _span_end(passages, start: int, excerpt: str) -> Passage:
    """The last of the passages from `start` needed to hold the excerpt (which they hold)."""
    for end in range(start, len(passages)):
        if contains(" ".join(p.text for p in passages[start : end + 1]), excerpt):
            return passages[end]
    return passages[-1]


def _overlaps(citation, passage) -> bool:
    if citation.line_start is None:
        return False
    return passage.line_start <= citation.line_end and citation.line_start <= passage.line_end
