"""Load the curated knowledge base from fixtures/ (idempotent and atomic)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gfmd.curation.loader import CuratedDataError, load_directory


class Command(BaseCommand):
    help = "Load the curated YAML files of fixtures/ into the database, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(settings.BASE_DIR / "fixtures"),
            help="Folder of curated files (default: fixtures/).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Reload files even when they have not changed since their last load.",
        )

        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="PATTERN",
            help="Load only the files matching this pattern (relative to the folder); repeatable.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check everything, then roll back.",
        )

    def handle(self, *args, directory, force, only, dry_run, verbosity, **options):
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"No such folder: {root}")
        progress = self.stdout.write if verbosity >= 1 else None
        try:
            report = load_directory(
                root, force=force or dry_run, only=only, dry_run=dry_run, progress=progress
            )
        except CuratedDataError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from None
        if verbosity >= 1:
            prefix = "Dry run, nothing kept: " if dry_run else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix}Loaded {len(report.files_loaded)} files ({report.records} records, "
                    f"{report.created} new); {len(report.files_skipped)} unchanged."
                )
            )
