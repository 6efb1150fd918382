"""Write every curated record to one YAML file in the format of fixtures/ (gfmd.curation.export)."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gfmd.curation.export import write_backup


class Command(BaseCommand):
    help = (
        "Back up every curated record to one YAML file (natural keys, the format of fixtures/), "
        "by default var/backups/gfmd-<timestamp>.yaml. Load it with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="Where to write the backup (default: var/backups/gfmd-<UTC timestamp>.yaml).",
        )
        parser.add_argument(
            "--database", default="default", help="Database alias to back up (default: default)."
        )

    def handle(self, *args, output, database, verbosity, **options):
        if output:
            path = Path(output)
        else:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            path = Path(settings.BASE_DIR) / "var" / "backups" / f"gfmd-{stamp}.yaml"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written beside the target and renamed into place: a failed backup leaves no
            # half-written file that looks like a good one.
            handle, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".part"
            )
        except OSError as exc:
            raise CommandError(f"Cannot write to {path.parent}: {exc.strerror}.") from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                records = write_backup(stream, using=database)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Backed up {records} records to {path}."))
