"""Loading the curated knowledge base from the YAML files in `fixtures/`.

Each file holds a list of records. A record names its model and gives its fields by name:

    - model: roundtables.session
      meeting: gfmd-2007              # a foreign key, by the related record's natural key
      code: "1.1"
      title: ...
      themes: [highly-skilled-migration]   # many-to-many, a list of natural keys
      participations:                 # records that belong to this one, nested
        - role: chair
          name: ...
          citations: [...]
      citations:                      # where the record comes from
        - document: brussels-report
          locator: "III 2.2.1 Roundtable 1 > Session 1.1"
          lines: [1200, 1210]             # lines of the document's text, or
          # passage: p-27                 # the anchor of a passage (a numbered paragraph)
          excerpt: "..."                  # must stand in the passage (checked on load)

A record is found by its natural key (`natural_key_fields` on the model) and updated in place, so
loading the same data twice changes nothing. Nested records and citations are kept in step with
the file: those it no longer lists are removed. Every file is loaded inside one transaction; the
first error rolls everything back and names the file, the record and the field at fault.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.db.models import ProtectedError

from gfmd.lib.history import REASON_MAX_LENGTH, record_snapshot
from gfmd.lib.models import has_synthetic
from gfmd.models import Citation, FixtureLoad, Passage, SourceDocument

# Files load in this order so that what a record refers to already exists.
LOAD_ORDER = (
    "gfmd/countries*.yaml",
    "gfmd/sources*.yaml",
    "gfmd/*.yaml",
    "practices/themes*.yaml",
    "roundtables/*.yaml",
    "rcps/*.yaml",
    "practices/*.yaml",
)


class CuratedDataError(Exception):
    """A record could not be loaded; the message names the file, record and field."""


@dataclass
class LoadReport:
    files_loaded: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    records: int = 0
    created: int = 0
    removed: int = 0


class _DryRun(Exception):
    pass


def fixture_files(root: Path, only: Iterable[str] = ()) -> list[Path]:
    only = list(only)
    ordered: list[Path] = []
    for pattern in LOAD_ORDER:
        for path in sorted(root.glob(pattern)):
            relative = path.relative_to(root)
            if only and not any(relative.match(p) or relative.as_posix() == p for p in only):
                continue
            if path not in ordered:
                ordered.append(path)
    return ordered


def load_directory(
    root: Path,
    *,
    force: bool = False,
    only: Iterable[str] = (),
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Load every curated file under `root` (or those matching `only`), skipping files unchanged
    since their last load (unless `force`), so that curators' edits to records of unchanged files
    are kept. With `dry_run`, everything is checked and then rolled back."""
    report = LoadReport()
    try:
        with transaction.atomic():
            _load_files(root, fixture_files(root, only), force, progress, report)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _load_files(root, paths, force, progress, report) -> None:
    """Load the changed files, then remove the records a changed file no longer lists (unless
    another file now lists them: a record may move from one file to another)."""
    listed: set[tuple[str, int]] = set()
    dropped: set[tuple[str, int]] = set()
    for path in paths:
        relative = path.relative_to(root).as_posix()
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        previous = FixtureLoad.objects.filter(path=relative).first()
        if previous and previous.sha256 == digest and not force:
            listed |= {tuple(key) for key in previous.keys}
            report.files_skipped.append(relative)
            if progress:
                progress(f"{relative}: unchanged, skipped")
            continue
        loader = Loader(relative, reason=f"curated data ({root.name}/{relative})")
        loader.load_text(raw.decode("utf-8"))
        keys = {(label, pk) for label, pk in loader.top_level}
        listed |= keys
        if previous:
            dropped |= {tuple(key) for key in previous.keys} - keys
        FixtureLoad.objects.update_or_create(
            path=relative,
            defaults={"sha256": digest, "records": loader.records, "keys": sorted(keys)},
        )
        report.files_loaded.append(relative)
        report.records += loader.records
        report.created += loader.created
        if progress:
            progress(f"{relative}: {loader.records} records ({loader.created} new)")
    for label, pk in sorted(dropped - listed):
        try:
            apps.get_model(label)._default_manager.filter(pk=pk).delete()
        except ProtectedError as exc:
            blocking = ", ".join(sorted(str(obj) for obj in exc.protected_objects)[:5])
            raise CuratedDataError(
                f"{label} {pk} is no longer in any file but cannot be removed: {blocking} "
                "still refer to it"
            ) from None
        report.removed += 1
        if progress:
            progress(f"removed {label} {pk}: no file lists it any more")


class Loader:
    def __init__(self, source: str, *, reason: str = "") -> None:
        self.source = source
        # the history entry of each record written: which file it came from
        self.reason = (reason or f"curated data ({source})")[:REASON_MAX_LENGTH]
        self.records = 0
        self.created = 0
        self.top_level: list[tuple[str, int]] = []
        self._documents: dict[str, SourceDocument] = {}

    def load_text(self, text: str) -> None:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CuratedDataError(f"{self.source}: not valid YAML: {exc}") from None
        if data is None:
            return
        if not isinstance(data, list):
            raise CuratedDataError(f"{self.source}: the file must hold a list of records")
        for index, record in enumerate(data, start=1):
            where = f"{self.source}: record {index}"
            if not isinstance(record, dict) or "model" not in record:
                raise CuratedDataError(f"{where}: each record is a mapping with a 'model' key")
            record = dict(record)
            label = record.pop("model")
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                raise CuratedDataError(f"{where}: unknown model '{label}'") from None
            instance = self.load_record(model, record, where=where)
            self.top_level.append((model._meta.label_lower, instance.pk))

    def load_record(
        self,
        model: type[models.Model],
        record: dict[str, Any],
        *,
        where: str,
        parent: tuple[str, models.Model] | None = None,
    ) -> models.Model:
        record = dict(record)
        where = f"{where} ({model._meta.label_lower} {_describe(record, model)})"
        citations = record.pop("citations", None)
        values: dict[str, Any] = {}
        many: dict[str, list] = {}
        children: dict[str, tuple[type[models.Model], str, list]] = {}
        if parent:
            values[parent[0]] = parent[1]
        for name, value in record.items():
            try:
                field_ = model._meta.get_field(name)
            except FieldDoesNotExist:
                raise CuratedDataError(f"{where}: unknown field '{name}'") from None
            try:
                if isinstance(field_, GenericRelation):
                    raise CuratedDataError(f"{where}: field '{name}' cannot be loaded")
                if field_.many_to_many and not field_.auto_created:
                    many[name] = [self.resolve(field_.related_model, v) for v in (value or [])]
                elif field_.one_to_many and field_.auto_created:
                    children[name] = (field_.related_model, field_.field.name, value or [])
                elif field_.many_to_one:
                    values[name] = (
                        None if value is None else self.resolve(field_.related_model, value)
                    )
                elif field_.concrete:
                    values[name] = "" if value is None and not field_.null else value
                else:
                    raise CuratedDataError(f"{where}: field '{name}' cannot be loaded")
            except ObjectDoesNotExist:
                raise CuratedDataError(
                    f"{where}: field '{name}': no {field_.related_model._meta.verbose_name} "
                    f"with key {value!r}"
                ) from None

        lookup = {}
        for key in model.natural_key_fields:
            key_field = model._meta.get_field(key)
            lookup[key] = values.get(key)
            if lookup[key] is None and not key_field.null:
                # a key field that may be blank (a participation's `part`) defaults to blank
                lookup[key] = key_field.get_default()
            if lookup[key] in (None, "") and not (key_field.null or key_field.blank):
                raise CuratedDataError(f"{where}: field '{key}' is required to identify the record")
        # Locked until the load commits, and read under the lock: an edit saved meanwhile is
        # neither lost under an old copy nor counted twice (the version only goes up).
        rows = model._default_manager.db_manager(router.db_for_write(model))
        instance = rows.select_for_update(of=("self",)).filter(**lookup).first()
        created = instance is None
        if created:
            instance = model()
        for name, value in values.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except ValidationError as exc:
            raise CuratedDataError(f"{where}: {_format_validation(exc)}") from None
        instance._change_reason = self.reason
        instance.save()
        self.records += 1
        self.created += int(created)
        for name, related in many.items():
            getattr(instance, name).set(related)
        for name, (child_model, parent_field, items) in children.items():
            self.sync_children(instance, name, child_model, parent_field, items, where=where)
        if citations is not None:
            self.sync_citations(instance, citations, where=where)
        if hasattr(instance, "history"):
            record_snapshot(instance)  # so that the loaded version can be reverted to
        return instance

    def sync_children(self, instance, name, child_model, parent_field, items, *, where) -> None:
        if not isinstance(items, list):
            raise CuratedDataError(f"{where}: field '{name}' must be a list")
        kept = []
        for index, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise CuratedDataError(f"{where}: {name} item {index} must be a mapping")
            child = self.load_record(
                child_model,
                item,
                where=f"{where} > {name} {index}",
                parent=(parent_field, instance),
            )
            kept.append(child.pk)
        stale = child_model._default_manager.filter(**{parent_field: instance}).exclude(pk__in=kept)
        if has_synthetic(child_model):
            # Generated benchmark records (manage.py synthesize) are in no file: reloading the
            # file of their session must not delete them; `synthesize --remove` does.
            stale = stale.filter(synthetic=False)
        stale.delete()

    def sync_citations(self, instance, items: Iterable[dict], *, where: str) -> None:
        content_type = ContentType.objects.get_for_model(instance)
        existing = {
            (c.document_id, c.line_start, c.line_end, c.excerpt): c
            for c in Citation.objects.filter(content_type=content_type, object_id=instance.pk)
        }
        kept = set()
        for order, item in enumerate(items or []):
            cwhere = f"{where} > citation {order + 1}"
            if not isinstance(item, dict):
                raise CuratedDataError(f"{cwhere}: must be a mapping")
            unknown = set(item) - {"document", "locator", "lines", "passage", "excerpt"}
            if unknown:
                raise CuratedDataError(f"{cwhere}: unknown field '{sorted(unknown)[0]}'")
            document = self.document(item.get("document"), cwhere)
            passage = self.passage(document, item.get("passage"), cwhere)
            lines = item.get("lines")
            if lines is None and passage is not None:
                lines = [passage.line_start, passage.line_end]
            if (
                not isinstance(lines, list)
                or len(lines) != 2
                or not all(isinstance(n, int) for n in lines)
            ):
                raise CuratedDataError(
                    f"{cwhere}: field 'lines' must be [first, last] line numbers "
                    "(or give 'passage', the anchor of a passage such as p-27)"
                )
            excerpt = " ".join(str(item.get("excerpt") or "").split())
            key = (document.pk, lines[0], lines[1], excerpt)
            citation = existing.get(key) or Citation(
                content_type=content_type,
                object_id=instance.pk,
                document=document,
                line_start=lines[0],
                line_end=lines[1],
                excerpt=excerpt,
            )
            if passage is not None:
                citation.passage = passage
            citation.locator = item.get("locator") or ""
            citation.order = order
            try:
                citation.full_clean(exclude=["content_type", "object_id"])
            except ValidationError as exc:
                raise CuratedDataError(f"{cwhere}: {_format_validation(exc)}") from None
            citation.save()
            kept.add(citation.pk)
        Citation.objects.filter(content_type=content_type, object_id=instance.pk).exclude(
            pk__in=kept
        ).delete()

    def document(self, slug, where: str) -> SourceDocument:
        if slug not in self._documents:
            try:
                self._documents[slug] = SourceDocument.objects.get(slug=slug)
            except SourceDocument.DoesNotExist:
                raise CuratedDataError(
                    f"{where}: field 'document': no source document {slug!r}"
                ) from None
        return self._documents[slug]

    def passage(self, document: SourceDocument, anchor, where: str) -> Passage | None:
        """The passage a citation names by its anchor ('p-27'); None when it names none."""
        if anchor in (None, ""):
            return None
        if not document.has_text:
            raise CuratedDataError(
                f"{where}: field 'passage': the text of {document.slug} is not loaded, so "
                f"passage {anchor!r} cannot be found; give 'lines' instead"
            )
        found = Passage.objects.filter(document=document, anchor=str(anchor)).first()
        if found is None:
            raise CuratedDataError(
                f"{where}: field 'passage': {document.slug} has no passage {anchor!r}"
            )
        return found

    @staticmethod
    def resolve(model: type[models.Model], value) -> models.Model:
        args = value if isinstance(value, (list, tuple)) else [value]
        return model._default_manager.get_by_natural_key(*args)


def _describe(record: dict, model) -> str:
    keys = [str(record[k]) for k in getattr(model, "natural_key_fields", ()) if k in record]
    return "/".join(keys) if keys else "?"


def _format_validation(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.message_dict.items():
            label = "record" if name == "__all__" else f"field '{name}'"
            parts.append(f"{label}: {' '.join(errors)}")
        return "; ".join(parts)
    return " ".join(exc.messages)
