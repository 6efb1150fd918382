"""Restoring a backup made by `manage.py backup` into an empty database, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.db import transaction

from gfmd.curation.export import curated_record_counts, read_fixture_loads
from gfmd.curation.ingest import ingest_seeds
from gfmd.curation.loader import CuratedDataError, Loader
from gfmd.models import Citation, FixtureLoad, Passage
from gfmd.texts import IngestError


class RestoreError(Exception):
    """Nothing was restored; the message says why."""


def restore_backup(path: Path, database: str = "default") -> int:
    """Load the backup at `path` in one transaction and return how many records it held. The
    loader writes through the router, i.e. to the primary."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RestoreError(f"No such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RestoreError(f"Cannot read {path}: {exc}") from None
    present = curated_record_counts(database)
    if present:
        shown = ", ".join(f"{count} {label}" for label, count in list(present.items())[:3])
        raise RestoreError(
            f"The database is not empty: it already holds curated records ({shown}...). "
            "restore only loads into an empty database, so that nothing is mixed or "
            "overwritten: create a new database, run `manage.py migrate`, and restore there."
        )
    loader = Loader(path.name, reason=f"restored from {path.name}")
    try:
        with transaction.atomic(using=database):
            loader.load_text(text)
            restore_fixture_loads(text, database)
            check_restored_citations()
    except (CuratedDataError, IngestError) as exc:
        raise RestoreError(f"Nothing was restored. {exc}") from None
    return loader.records


def restore_fixture_loads(text: str, database: str) -> None:
    """Which curated files the backed-up database was last loaded from, with their records' new
    ids, so that load_curated skips the unchanged ones (as it would have there)."""
    for load in read_fixture_loads(text):
        keys = []
        for label, key in load["keys"]:
            model = apps.get_model(label)
            args = key if isinstance(key, list) else [key]
            try:
                pk = model._default_manager.db_manager(database).get_by_natural_key(*args).pk
            except model.DoesNotExist:
                raise CuratedDataError(
                    f"fixture-load {load['path']}: no {label} with key {key!r}"
                ) from None
            keys.append([label, pk])
        FixtureLoad.objects.using(database).create(
            path=load["path"], sha256=load["sha256"], records=load["records"], keys=sorted(keys)
        )


def check_restored_citations() -> None:
    """Read the documents' text (from the seeds directory, where it is) and refuse the backup if
    any citation's excerpt is not in the passage of its lines: a backup holds no text, so its
    citations are checked once the text is there."""
    ingest_seeds()
    wrong = Citation.objects.exclude(problem="").select_related("document").order_by("pk")
    first = wrong.first()
    if first is None:
        return
    covering = Passage.objects.covering(first.document_id, first.line_start, first.line_end)
    text = " ".join(p.text for p in covering)[:1000]
    raise CuratedDataError(
        f"{wrong.count()} citations do not match their document's text; the first, of "
        f"{first.document}, {first.lines}: \u201c{first.excerpt}\u201d is not in the passage, "
        f"which reads: \u201c{text}\u201d"
    )
