"""Load the seed documents' text into passages (idempotent; see gfmd.curation.ingest)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gfmd.curation.ingest import ingest_seeds
from gfmd.texts import IngestError


class Command(BaseCommand):
    help = "Read each source document's seed file from GFMD_SEEDS_DIR into passages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seeds-dir", default=str(settings.SEEDS_DIR), help="Folder of the seed files."
        )
        parser.add_argument(
            "--force", action="store_true", help="Read the files again even when unchanged."
        )

    def handle(self, *args, seeds_dir, force, verbosity, **options):
        progress = self.stdout.write if verbosity >= 1 else None
        try:
            report = ingest_seeds(Path(seeds_dir), force=force, progress=progress)
        except IngestError as exc:
            raise CommandError(f"Nothing was changed for that document. {exc}") from None
        if report.missing and verbosity >= 1:
            self.stdout.write(
                f"No seed file in {seeds_dir} for: {', '.join(report.missing)} "
                "(their pages say the text is not loaded)."
            )
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{len(report.ingested)} documents read, {len(report.unchanged)} unchanged; "
                    f"{report.unpinned} citations to check."
                )
            )
