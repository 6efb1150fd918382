"""Restoring a backup made by `manage.py backup` into an empty database, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.db import transaction

from gfmd.curation.export import curated_record_counts, read_fixture_loads
from gfmd.curation.loader import CuratedDataError, Loader
from gfmd.models import FixtureLoad


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
    loader = Loader(path.name)
    try:
        with transaction.atomic(using=database):
            loader.load_text(text)
            restore_fixture_loads(text, database)
    except CuratedDataError as exc:
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
