"""Exporting the knowledge base to one YAML file in the curated-data format (gfmd.curation.loader).

The file is what `manage.py backup` writes and `manage.py restore` loads: every curated record,
written the way the files in fixtures/ are, so the same loader reads it and a person can review
it. Records are identified by natural keys, never by database ids: foreign keys and many-to-many
fields are the related records' natural keys, participations and recommendations are nested under
the meeting, session, roundtable or horizontal issue they belong to (follow-ups under their
recommendation), and citations under what they cite.
Models come in dependency order (countries and sources first, practices last; a parent theme or
meeting before the records under it), so the file loads in one pass. Generated benchmark data
(`synthetic`) is left out.

The header also records, as comments the loader ignores, which curated files the database was
last loaded from (gfmd.models.FixtureLoad, with its records by natural key): `restore` puts them
back, so a `load_curated` after a restore skips unchanged files and keeps curators' edits, as it
would have on the original database.

Everything is read with explicit `.using(alias)` queries (the primary, whatever the replica
router would choose) and no per-record lookups, inside one REPEATABLE READ transaction, so the
file is one consistent snapshot even while curators edit.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

import yaml
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, transaction

from gfmd.lib.models import has_synthetic
from gfmd.models import Citation, FixtureLoad

# Top-level records, in the order they load. Each model's own records are ordered parent first.
TOP_LEVEL = (
    "gfmd.country",
    "gfmd.sourcedocument",
    "gfmd.organisation",
    "gfmd.referenceddocument",
    "practices.theme",
    "roundtables.meeting",
    "roundtables.topic",
    "roundtables.actor",
    "roundtables.roundtable",
    "roundtables.horizontalissue",
    "roundtables.session",
    "roundtables.reportfinding",
    "rcps.rcp",
    "practices.practice",
)
# Records written inside their parent (as `participations:` and `recommendations:` lists).
# A follow-up is filed under its recommendation, so it is prepared before the recommendations.
NESTED = ("roundtables.participation", "roundtables.followup", "roundtables.recommendation")
# Fields that are not data: the generated search vector is left out by type; `synthetic` records
# are not written at all, so the flag is always false.
# The state of a document's loaded text is not curated data: a backup holds no text, and after a
# restore `manage.py ingest_sources` reads the documents again and pins the citations.
SKIPPED_FIELDS = {
    "synthetic",
    "text_format",
    "text_sha256",
    "line_count",
    "page_count",
    "ingested_at",
}

FIXTURE_LOAD_PREFIX = "# fixture-load: "


class Exporter:
    def __init__(self, using: str = "default") -> None:
        self.using = using
        # label -> pk -> natural key, as written in the file (a scalar or a list)
        self.keys: dict[str, dict[int, Any]] = {}
        self.document_slugs: dict[int, str] = {}
        self.citations: dict[tuple[int, int], list[dict]] = defaultdict(list)
        self.children: dict[str, dict[str, dict[int, list[dict]]]] = {}
        self.records = 0

    # -- reading ---------------------------------------------------------------------------

    def rows(self, model: type[models.Model]) -> list[dict]:
        fields = [f.attname for f in model._meta.concrete_fields if _exported(f)]
        queryset = model._default_manager.using(self.using).all()
        if has_synthetic(model):
            queryset = queryset.filter(synthetic=False)
        ordering = [*(model._meta.ordering or []), "pk"]
        return list(queryset.order_by(*ordering).values("pk", *fields))

    def natural_key(self, model, row) -> Any:
        parts = []
        for name in model.natural_key_fields:
            field = model._meta.get_field(name)
            value = row[field.attname]
            if field.is_relation and value is not None:
                value = self.keys[field.related_model._meta.label_lower][value]
            parts.append(value)
        return parts[0] if len(parts) == 1 else parts

    def m2m(self, model) -> dict[str, dict[int, list]]:
        """field name -> record pk -> natural keys of the related records, in their order."""
        result = {}
        for field in model._meta.many_to_many:
            related = field.related_model._meta.label_lower
            rank = {pk: index for index, pk in enumerate(self.keys[related])}
            through = field.remote_field.through
            source = field.m2m_field_name()
            target = field.m2m_reverse_field_name()
            links = defaultdict(list)
            for source_id, target_id in (
                through._default_manager.using(self.using)
                .values_list(f"{source}_id", f"{target}_id")
                .iterator()
            ):
                if target_id in rank:  # not a synthetic record
                    links[source_id].append(target_id)
            result[field.name] = {
                pk: [self.keys[related][t] for t in sorted(ids, key=rank.__getitem__)]
                for pk, ids in links.items()
            }
        return result

    def load_citations(self) -> None:
        self.document_slugs = dict(
            apps.get_model("gfmd.sourcedocument")
            ._default_manager.using(self.using)
            .values_list("pk", "slug")
        )
        queryset = Citation.objects.using(self.using).order_by(
            "content_type", "object_id", "order", "line_start", "pk"
        )
        for citation in queryset.values(
            "content_type_id",
            "object_id",
            "document_id",
            "locator",
            "line_start",
            "line_end",
            "excerpt",
        ).iterator():
            self.citations[(citation["content_type_id"], citation["object_id"])].append(
                {
                    "document": self.document_slugs[citation["document_id"]],
                    "locator": citation["locator"],
                    "lines": [citation["line_start"], citation["line_end"]],
                    "excerpt": citation["excerpt"],
                }
            )

    # -- writing ---------------------------------------------------------------------------

    def record(self, model, row, many, *, parent_field: str | None = None) -> dict:
        label = model._meta.label_lower
        out: dict[str, Any] = {} if parent_field else {"model": label}
        for field in _fields_in_file_order(model):
            if field.name == parent_field:
                continue
            value = row[field.attname]
            if field.is_relation and value is not None:
                value = self.keys[field.related_model._meta.label_lower][value]
            out[field.name] = value
        for name, links in many.items():
            out[name] = links.get(row["pk"], [])
        for relation, children in self.children.get(label, {}).items():
            out[relation] = children.get(row["pk"], [])
        if _cited(model):
            content_type = ContentType.objects.db_manager(self.using).get_for_model(model)
            out["citations"] = self.citations.get((content_type.pk, row["pk"]), [])
        # Bookkeeping last: how many times the record was saved (kept, for the edit checks).
        for name in ("version",):
            if name in out:
                out[name] = out.pop(name)
        self.records += 1
        return out

    def prepare_nested(self) -> None:
        """Write the nested records first, filed under their parent's label, relation and pk."""
        for label in NESTED:
            model = apps.get_model(label)
            rows = self.rows(model)
            self.keys[label] = {}
            many = self.m2m(model)
            # The parents are the foreign keys of the natural key: a participation belongs to
            # its session or its roundtable, a recommendation to its session or horizontal issue.
            for name in model.natural_key_fields:
                field = model._meta.get_field(name)
                if not field.is_relation:
                    continue
                parent = field.related_model._meta.label_lower
                relation = field.remote_field.get_accessor_name()
                filed = self.children.setdefault(parent, {}).setdefault(relation, {})
                for row in rows:
                    if row[field.attname] is not None:
                        written = self.record(model, row, many, parent_field=field.name)
                        filed.setdefault(row[field.attname], []).append(written)

    def export(self) -> Iterator[tuple[str, list[dict]]]:
        """(model label, its records) in load order."""
        self.load_citations()
        rows_by_label = {}
        for label in TOP_LEVEL:
            model = apps.get_model(label)
            rows = _parents_first(model, self.rows(model))
            rows_by_label[label] = rows
            self.keys[label] = {}
            for row in rows:
                self.keys[label][row["pk"]] = self.natural_key(model, row)
        self.prepare_nested()
        for label in TOP_LEVEL:
            model = apps.get_model(label)
            many = self.m2m(model)
            yield label, [self.record(model, row, many) for row in rows_by_label[label]]

    def fixture_loads(self) -> list[dict]:
        """FixtureLoad rows with their records by natural key instead of database id."""
        loads = []
        for load in FixtureLoad.objects.using(self.using).order_by("path"):
            keys = sorted(
                (
                    [label, self.keys[label][pk]]
                    for label, pk in load.keys
                    if pk in self.keys.get(label, {})
                ),
                key=lambda item: json.dumps(item, ensure_ascii=False),
            )
            loads.append(
                {"path": load.path, "sha256": load.sha256, "records": load.records, "keys": keys}
            )
        return loads


def write_backup(stream: TextIO, *, using: str = "default") -> int:
    """Write every curated record to `stream`; return how many records were written."""
    exporter = Exporter(using)
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost:  # one snapshot for every query (inside another transaction, that one's)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        sections = list(exporter.export())
        loads = exporter.fixture_loads()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    stream.write(
        f"# GFMD Practices backup of {now}: {exporter.records} curated records, in the format\n"
        "# of fixtures/ (docs/curation.md). Load it into an empty, migrated database with\n"
        "# `manage.py restore FILE` (make restore FILE=...).\n"
        "#\n"
        "# The curated files the database was last loaded from; restore puts them back so that\n"
        "# load_curated skips the files that have not changed since:\n"
    )
    for load in loads:
        stream.write(FIXTURE_LOAD_PREFIX + json.dumps(load, ensure_ascii=False) + "\n")
    for label, records in sections:
        stream.write(f"\n# --- {label}: {len(records)}\n")
        for record in records:
            stream.write(_dump(record))
    return exporter.records


def read_fixture_loads(text: str) -> list[dict]:
    """The FixtureLoad rows recorded in a backup's header (see `write_backup`)."""
    loads = []
    for line in text.splitlines():
        if line.startswith(FIXTURE_LOAD_PREFIX):
            loads.append(json.loads(line[len(FIXTURE_LOAD_PREFIX) :]))
        elif line and not line.startswith("#"):
            break
    return loads


def curated_record_counts(using: str = "default") -> dict[str, int]:
    """How many records of each backed-up model the database holds (those with any)."""
    counts = {}
    for label in (*TOP_LEVEL, *NESTED, "gfmd.citation"):
        count = apps.get_model(label)._default_manager.using(using).count()
        if count:
            counts[label] = count
    return counts


def _fields_in_file_order(model) -> list:
    """The exported fields as curators write them: the natural key first, the curator's note
    after the record's own fields."""
    fields = [f for f in model._meta.concrete_fields if _exported(f)]
    first = [f for name in model.natural_key_fields for f in fields if f.name == name]
    last = [f for f in fields if f.name == "curator_note"]
    return first + [f for f in fields if f not in first and f not in last] + last


def _exported(field) -> bool:
    return not (
        field.primary_key
        or isinstance(field, models.GeneratedField)
        or field.name in SKIPPED_FIELDS
    )


def _cited(model) -> bool:
    return any(
        getattr(f, "related_model", None) is Citation and f.name == "citations"
        for f in model._meta.private_fields
    )


def _parents_first(model, rows: list[dict]) -> list[dict]:
    """Rows reordered, where the model refers to itself (a theme's parent), so that a parent
    comes before the records that name it."""
    self_fields = [
        f.attname for f in model._meta.concrete_fields if f.is_relation and f.related_model is model
    ]
    if not self_fields:
        return rows
    placed: set[int] = set()
    ordered: list[dict] = []
    pending = list(rows)
    while pending:
        waiting = []
        for row in pending:
            parents = {row[name] for name in self_fields} - {None, row["pk"]}
            (ordered if parents <= placed else waiting).append(row)
            if parents <= placed:
                placed.add(row["pk"])
        if len(waiting) == len(pending):  # a cycle: written as is, the loader will say where
            ordered += waiting
            break
        pending = waiting
    return ordered


class _Dumper(yaml.SafeDumper):
    """The style of fixtures/: long text folded (`>`), lists of keys on one line."""


def _represent_str(dumper, value: str):
    style = ">" if len(value) > 80 or "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper, value: list):
    flow = all(not isinstance(item, (dict, list)) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_DUMP_OPTIONS = {"allow_unicode": True, "sort_keys": False, "width": 100}


def _dump(record: dict) -> str:
    """One record as a one-item YAML list. Checked by reading it back: text the folded style
    cannot carry exactly (odd spacing) is written in YAML's default, always exact, style."""
    text = yaml.dump([record], Dumper=_Dumper, **_DUMP_OPTIONS)
    if yaml.safe_load(text) != [record]:
        text = yaml.safe_dump([record], **_DUMP_OPTIONS)
    return text
