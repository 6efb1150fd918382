"""Load a backup made by `manage.py backup` into an empty database, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gfmd.curation.restore import RestoreError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty, migrated database. "
        "Everything is loaded in one transaction: on any error nothing is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file (YAML).")

    def handle(self, *args, file, verbosity, **options):
        path = Path(file)
        try:
            records = restore_backup(path)
        except RestoreError as exc:
            raise CommandError(str(exc)) from None
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Restored {records} records from {path}."))
