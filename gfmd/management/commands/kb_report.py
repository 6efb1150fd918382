"""Counts per entity, and the records that lack a citation or a summary (gfmd.curation.report)."""

from django.core.management.base import BaseCommand

from gfmd.curation.report import gaps, record_counts


class Command(BaseCommand):
    help = "Report how many records of each kind the knowledge base holds, and what they lack."

    def handle(self, *args, **options):
        for label, count in record_counts():
            self.stdout.write(f"{label:32} {count:6}")
        problems = list(gaps())
        if problems:
            self.stdout.write(self.style.WARNING(f"\n{len(problems)} records need attention:"))
            for label, record, what in problems:
                self.stdout.write(f"  {label} {record.natural_key()}: {what}")
        else:
            self.stdout.write(self.style.SUCCESS("\nEvery record has a citation and a summary."))
