"""Splitting text into passages: paragraphs, numbered paragraphs, headings, pages, anchors."""

from pathlib import Path

import pytest
from django.conf import settings

from gfmd.lib.passages import FURNITURE, HEADING, PARAGRAPH, split_pages, split_text

SEEDS = Path(settings.SEEDS_DIR)
needs_seeds = pytest.mark.skipif(
    not (SEEDS / "001_8a09514f18c77087.txt").is_file(), reason="the seed documents are not here"
)


def test_paragraphs_are_runs_of_lines_between_blank_lines():
    passages = split_text("First line\nstill the first.\n\nSecond paragraph.\n")
    assert [(p.text, p.line_start, p.line_end) for p in passages] == [
        ("First line\nstill the first.", 1, 2),
        ("Second paragraph.", 4, 4),
    ]
    assert all(p.kind == PARAGRAPH for p in passages)


def test_numbered_paragraphs_keep_their_numbers_and_anchor_on_them():
    text = "I. Introduction\n\n- 1. The Dialogue met.\n- 2. The Forum was launched.\n"
    heading, first, second = split_text(text)
    assert heading.kind == HEADING and heading.level == 1
    assert (first.number, first.anchor, second.anchor) == ("1", "p-1", "p-2")
    assert first.section == "I. Introduction"


def test_a_number_printed_twice_anchors_on_the_line():
    passages = split_text("1. One thing.\n\n1. Another list, the same number.\n")
    assert [p.anchor for p in passages] == ["l-1", "l-3"]


def test_a_paragraph_cut_by_a_page_break_is_joined():
    text = (
        "4. The 132 Member States that took part reaffirmed a number of key messages and agreed "
        "that migration could help countries of origin and\n\ncountries of destination gained.\n"
    )
    (passage,) = split_text(text)
    assert (passage.line_start, passage.line_end, passage.number) == (1, 3, "4")


def test_section_numbers_nest():
    text = (
        "III. THE MEETING\n\n2. – GOVERNMENTAL DAYS\n\n2.2.1. Roundtable 1 – Human capital\n\n"
        "Session 1.1 – Highly skilled migration\n\n– *Panel discussion*\n\nMalawi spoke.\n"
    )
    passages = split_text(text)
    assert [p.level for p in passages if p.kind == HEADING] == [1, 2, 4, 5, 6]
    assert passages[-1].section == (
        "III. THE MEETING > 2. – GOVERNMENTAL DAYS > 2.2.1. Roundtable 1 – Human capital > "
        "Session 1.1 – Highly skilled migration > – Panel discussion"
    )


def test_a_running_head_is_page_furniture():
    passages = split_text("FOREWORD\n\nText.\n\nFOREWORD\n\nMore text.\n")
    assert [p.kind for p in passages] == [HEADING, PARAGRAPH, FURNITURE, PARAGRAPH]


def test_markdown_headings():
    passages = split_text("# Title\n\n## Part one\nA paragraph.\n", markdown=True)
    assert [(p.kind, p.level) for p in passages] == [(HEADING, 1), (HEADING, 2), (PARAGRAPH, 0)]
    assert passages[-1].section == "Title > Part one"


def test_pages_are_kept_and_lines_count_across_pages():
    passages = split_pages(["Page one text.\n", "Page two text.\n"])
    assert [(p.page, p.line_start) for p in passages] == [(1, 1), (2, 3)]


@needs_seeds
def test_the_un_report_keeps_its_paragraph_numbers():
    passages = split_text((SEEDS / "001_8a09514f18c77087.txt").read_text())
    numbers = [int(p.number) for p in passages if p.number]
    assert numbers[:3] == [1, 2, 4]  # paragraph 3 lost its number in the extraction
    assert {14, 27, 60} <= set(numbers)
    para = next(p for p in passages if p.anchor == "p-14")
    assert para.section.endswith("A. Global Forum on Migration and Development")


@needs_seeds
def test_the_brussels_report_has_its_sections():
    passages = split_text((SEEDS / "003_b146d0fc4d04de58.txt").read_text())
    headings = [p.text for p in passages if p.kind == HEADING]
    assert "2.2.1.1. *Background*" in headings
    assert any(h.startswith("Session 1.1 – Highly skilled migration") for h in headings)
    assert len({p.anchor for p in passages}) == len(passages)


@needs_seeds
def test_signatures_title_lines_and_list_lead_ins_of_the_report_are_not_headings():
    text = (SEEDS / "003_b146d0fc4d04de58.txt").read_text(encoding="utf-8")
    by_text = {" ".join(p.text.split()): p for p in split_text(text)}
    for line in (
        "RÉGINE DE CLERCQ",  # signatures, above the signatory's office in capitals
        "PETER SUTHERLAND",
        "– First meeting –",  # a line of the title page
        "– *Address the root causes of migration*. This implies :",  # a list's lead-in
    ):
        assert by_text[line].kind == PARAGRAPH, line
    office = by_text[
        "SPECIAL REPRESENTATIVE OF THE SECRETARY GENERAL OF THE UNITED NATIONS "
        "ON INTERNATIONAL MIGRATION AND DEVELOPMENT"
    ]
    assert office.section == "FOREWORD"
    for line in (
        "FOREWORD",
        "OVERVIEW",  # above the table of contents
        "ANNEXES",  # above an emphasised title in capitals
        "– *Panel discussion*",
        "Session 1.1 – Highly skilled migration : balancing interests and responsibilities",
    ):
        assert by_text[line].kind == HEADING, line
