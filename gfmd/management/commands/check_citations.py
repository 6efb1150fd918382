"""Check every citation of the curated YAML files against the seed documents, without a database."""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gfmd.curation.fidelity import check_excerpt


def iter_citations(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "citations" and isinstance(value, list):
                for index, citation in enumerate(value, start=1):
                    yield f"{path} > citation {index}", citation
            else:
                yield from iter_citations(value, f"{path}/{key}" if path else key)
    elif isinstance(node, list):
        for index, item in enumerate(node, start=1):
            label = ""
            if isinstance(item, dict):
                label = (
                    item.get("slug")
                    or item.get("code")
                    or item.get("name")
                    or item.get("number")
                    or ""
                )
            yield from iter_citations(item, f"{path}[{index}{':' + str(label) if label else ''}]")


class Command(BaseCommand):
    help = "Check that each cited excerpt stands in the cited lines of its seed file."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="YAML files (default: all of fixtures/).")

    def handle(self, *args, files, **options):
        documents = {}
        sources = yaml.safe_load(
            (Path(settings.BASE_DIR) / "fixtures/gfmd/sources.yaml").read_text()
        )
        for source in sources:
            documents[source["slug"]] = source["seed_file"]
        paths = [Path(f) for f in files] or sorted(
            (Path(settings.BASE_DIR) / "fixtures").rglob("*.yaml")
        )
        checked = failures = 0
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            for where, citation in iter_citations(data):
                checked += 1
                seed = documents.get(citation.get("document"))
                lines = citation.get("lines") or [0, 0]
                if seed is None:
                    problem = f"unknown document {citation.get('document')!r}"
                else:
                    found = check_excerpt(
                        seed, lines[0], lines[-1], str(citation.get("excerpt", ""))
                    )
                    problem = found.message if found else None
                if problem:
                    failures += 1
                    self.stdout.write(f"{path.name}: {where}: {problem}")
        self.stdout.write(f"{checked} citations checked, {failures} problems.")
        if failures:
            raise CommandError(f"{failures} citations do not match their sources.")
