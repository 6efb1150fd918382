"""Check every citation of the curated YAML files against the seed documents, without a database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gfmd.curation.fidelity import check_fixture_files, seed_files_of_sources


class Command(BaseCommand):
    help = "Check that each cited excerpt stands in the cited lines of its seed file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="YAML files (default: all of fixtures/).")

    def handle(self, *args, files, **options):
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        documents = seed_files_of_sources(fixtures / "gfmd" / "sources.yaml")
        paths = [Path(f) for f in files] or sorted(fixtures.rglob("*.yaml"))
        problems, checked = check_fixture_files(paths, documents)
        for path, where, problem in problems:
            self.stdout.write(f"{path.name}: {where}: {problem}")
        self.stdout.write(f"{checked} citations checked, {len(problems)} problems.")
        if problems:
            raise CommandError(f"{len(problems)} citations do not match their sources.")
