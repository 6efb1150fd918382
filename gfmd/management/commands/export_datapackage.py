"""Write the knowledge base as a Frictionless Data Package (gfmd.curation.datapackage)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gfmd.curation.datapackage import export_datapackage


class Command(BaseCommand):
    help = (
        "Write every public record as a Frictionless Data Package in DIR: one CSV per table "
        "with its Table Schema, and datapackage.json (licence, sources, checksums, data version)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")

    def handle(self, *args, directory, **options):
        path = Path(directory)
        if path.exists() and not path.is_dir():
            raise CommandError(f"{path} exists and is not a folder.")
        descriptor = export_datapackage(path)
        self.stdout.write(f"Wrote {descriptor}")
