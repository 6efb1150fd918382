"""A Frictionless Data Package of Django models: one CSV per table, each with a Table Schema
(types, required fields, allowed values, primary and foreign keys), a SHA-256 checksum and its
size, and a `datapackage.json` naming the licence, the sources and the data version."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import models

TYPES = (
    (models.BooleanField, "boolean"),
    (models.DateTimeField, "datetime"),
    (models.DateField, "date"),
    (models.IntegerField, "integer"),
    (models.FloatField, "number"),
    (models.DecimalField, "number"),
    (models.URLField, "string"),
)


@dataclass
class Column:
    name: str
    type: str
    value: Callable
    description: str = ""
    required: bool = False
    enum: list[str] | None = None
    references: tuple[str, str] | None = None  # (resource, field)

    def schema(self) -> dict:
        out = {"name": self.name, "type": self.type}
        if self.description:
            out["description"] = self.description
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = self.enum
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass
class Table:
    name: str
    description: str
    rows: Callable[[], Iterable]
    columns: list[Column]
    primary_key: list[str] = field(default_factory=list)

    def schema(self) -> dict:
        schema = {"fields": [column.schema() for column in self.columns]}
        if self.primary_key:
            schema["primaryKey"] = self.primary_key
        keys = [
            {
                "fields": [column.name],
                "reference": {"resource": column.references[0], "fields": [column.references[1]]},
            }
            for column in self.columns
            if column.references
        ]
        if keys:
            schema["foreignKeys"] = keys
        return schema


def field_column(model_field, name: str | None = None) -> Column:
    """A column of a model field that is not a relation: its type, whether it is required and
    its allowed values, from the field itself."""
    kind = next((t for cls, t in TYPES if isinstance(model_field, cls)), "string")
    attname = model_field.attname
    enum = [str(value) for value, _ in model_field.choices] if model_field.choices else None
    return Column(
        name=name or model_field.name,
        type=kind,
        value=lambda record: getattr(record, attname),
        description=str(model_field.help_text or ""),
        required=not model_field.null and not (kind == "string" and model_field.blank),
        enum=enum,
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def write_table(table: Table, directory: Path) -> dict:
    """Write `table` as `<name>.csv` in `directory`; its resource descriptor."""
    path = directory / f"{table.name}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([column.name for column in table.columns])
        for record in table.rows():
            writer.writerow([_cell(column.value(record)) for column in table.columns])
    content = path.read_bytes()
    return {
        "name": table.name,
        "path": path.name,
        "profile": "tabular-data-resource",
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(content),
        "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
        "schema": table.schema(),
    }


def write_package(directory: Path, tables: list[Table], descriptor: dict) -> Path:
    """Every table as CSV in `directory`, and `datapackage.json` describing them."""
    directory.mkdir(parents=True, exist_ok=True)
    resources = [write_table(table, directory) for table in tables]
    package = {"profile": "tabular-data-package", **descriptor, "resources": resources}
    path = directory / "datapackage.json"
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
