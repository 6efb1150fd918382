"""Loading the text of the seed documents from the seeds directory (`GFMD_SEEDS_DIR`).

The repository holds no document's text: each curated source names its seed file, and this step
reads those files, when the directory is there, into passages (`gfmd.texts.document_ingest`).
A file already loaded with the same content is skipped, so running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from gfmd.models import SourceDocument
from gfmd.texts import IngestError, document_ingest


@dataclass
class SeedReport:
    ingested: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unpinned: int = 0


def ingest_seeds(
    directory: Path | None = None,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Ingest every source document's seed file found in `directory` (default: the setting
    SEEDS_DIR). Documents whose file is absent keep their text, or have none."""
    root = Path(directory or settings.SEEDS_DIR)
    report = SeedReport()
    for document in SourceDocument.objects.exclude(seed_file=None).exclude(seed_file=""):
        path = root / document.seed_file
        if not path.is_file():
            report.missing.append(document.slug)
            continue
        try:
            result = document_ingest(
                document=document, name=path.name, data=path.read_bytes(), force=force
            )
        except IngestError as exc:
            raise IngestError(f"{document.slug}: {exc}") from None
        if result.unchanged:
            report.unchanged.append(document.slug)
            continue
        report.ingested.append(document.slug)
        report.unpinned += len(result.unpinned)
        if progress:
            progress(
                f"{document.slug}: {result.passages} passages, {result.kept} citations pinned, "
                f"{len(result.unpinned)} to check"
            )
    return report
