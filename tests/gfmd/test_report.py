"""kb_report: what each source document contributes, and the gaps it lists."""

from io import StringIO

import pytest
from django.core.management import call_command

from gfmd.curation.report import document_coverage, gaps, merged_ranges
from tests.factories import make_citation, make_organisation, make_source

pytestmark = pytest.mark.django_db


def test_line_ranges_merge_where_they_overlap_or_touch():
    assert merged_ranges([(12, 12), (3, 5), (5, 9), (10, 10), (20, 22)]) == [
        (3, 10),
        (12, 12),
        (20, 22),
    ]
    assert merged_ranges([]) == []


def test_coverage_counts_the_records_and_passages_of_a_document():
    source = make_source()
    first, second = make_organisation(), make_organisation()
    make_citation(first, document=source, line_start=3, line_end=5)
    make_citation(first, document=source, line_start=5, line_end=6)
    make_citation(second, document=source, line_start=9, line_end=9)
    row = next(r for r in document_coverage() if r[0] == source)
    _, per_kind, citations, ranges = row
    assert per_kind == {"gfmd.organisation": 2}
    assert citations == 3
    assert ranges == [(3, 6), (9, 9)]


def test_an_organisation_without_description_or_citation_is_a_gap():
    bare = make_organisation(description="")
    found = {what for label, record, what in gaps() if record == bare}
    assert found == {"no citation", "empty description"}


def test_the_command_prints_each_document_with_its_lines():
    out = StringIO()
    call_command("kb_report", stdout=out)
    text = out.getvalue()
    assert "a-63-269 (001_8a09514f18c77087.txt):" in text
    assert "records: roundtables.reportfinding x 17" in text
    assert "lines cited: " in text
