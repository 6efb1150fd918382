"""Counts per entity, what each source document contributes, and the records that lack a citation
or a summary (gfmd.curation.report)."""

from django.core.management.base import BaseCommand

from gfmd.curation.report import document_coverage, gaps, record_counts


class Command(BaseCommand):
    help = "Report how many records of each kind the knowledge base holds, and what they lack."

    def handle(self, *args, **options):
        for label, count in record_counts():
            self.stdout.write(f"{label:32} {count:6}")
        self.stdout.write("\nWhat each source document contributes:")
        for document, per_kind, citations, ranges in document_coverage():
            lines = sum(end - start + 1 for start, end in ranges)
            self.stdout.write(
                f"\n{document.slug} ({document.seed_file}): {citations} citations, "
                f"{sum(per_kind.values())} records, {len(ranges)} passages ({lines} lines) cited"
            )
            for label, records in per_kind.items():
                self.stdout.write(f"  records: {label} x {records}")
            spans = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges)
            self.stdout.write(f"  lines cited: {spans or 'none'}")
        problems = list(gaps())
        if problems:
            self.stdout.write(self.style.WARNING(f"\n{len(problems)} records need attention:"))
            for label, record, what in problems:
                self.stdout.write(f"  {label} {record.natural_key()}: {what}")
        else:
            self.stdout.write(self.style.SUCCESS("\nEvery record has a citation and a summary."))
