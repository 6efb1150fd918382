"""Ingesting a document's text: formats, refusals, idempotence, atomicity, and a new version
that keeps the citations still matching and lists the others."""

import pytest
from django.core.exceptions import ValidationError

from gfmd.lib.textfold import contains
from gfmd.models import Citation, Passage, SourceDocument
from gfmd.texts import IngestError, document_ingest
from tests.factories import make_practice, make_source
from tests.sources.pdf import make_pdf
from tests.sources.test_passages import SEEDS, needs_seeds

pytestmark = pytest.mark.django_db

TEXT = (
    "I. Introduction\n\n"
    "1. The first paragraph tells of seasonal workers and their return home.\n\n"
    "2. The second paragraph tells of remittance corridors between two countries.\n"
)


def ingest(document, text=TEXT, name="note.txt"):
    return document_ingest(document=document, name=name, data=text.encode())


def test_a_text_file_becomes_passages():
    document = make_source(seed_file=None)
    report = ingest(document)
    assert report.passages == 3
    document.refresh_from_db()
    assert (document.has_text, document.line_count, document.text_format) == (True, 5, "text")
    para = Passage.objects.get(document=document, anchor="p-2")
    assert (para.line_start, para.section, para.place) == (5, "I. Introduction", "para. 2")


def test_a_markdown_file_has_its_headings():
    document = make_source(seed_file=None)
    document_ingest(document=document, name="n.md", data=b"# Title\n\n## Part\n\nSome words.\n")
    kinds = list(Passage.objects.filter(document=document).values_list("kind", "level"))
    assert kinds == [("heading", 1), ("heading", 2), ("paragraph", 0)]


def test_a_pdf_keeps_its_pages():
    document = make_source(seed_file=None)
    data = make_pdf(
        [["1. Introduction", "Circular migration schemes were discussed."], ["2. Results", "More."]]
    )
    document_ingest(document=document, name="report.pdf", data=data)
    passages = Passage.objects.filter(document=document)
    assert [(p.kind, p.page) for p in passages] == [
        ("heading", 1),
        ("paragraph", 1),
        ("heading", 2),
        ("paragraph", 2),
    ]
    document.refresh_from_db()
    assert (document.page_count, document.text_format) == (2, "pdf")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"\n \n\n", "no text found"),
        ("notes.docx", b"PK\x03\x04", "unsupported type (.docx)"),
        ("latin1.txt", "Société".encode("latin-1"), "not UTF-8 text"),
        ("fake.pdf", b"hello", "not a PDF file"),
        ("broken.pdf", b"%PDF-1.4\n garbage", "the PDF cannot be read"),
        ("scan.pdf", make_pdf([[]]), "no text layer"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(name, data, message):
    document = make_source(seed_file=None)
    with pytest.raises(IngestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        document_ingest(document=document, name=name, data=data)
    assert not Passage.objects.filter(document=document).exists()


def test_a_file_too_large_is_refused(settings):
    settings.SOURCE_MAX_BYTES = 100
    with pytest.raises(IngestError, match="the largest accepted is"):
        ingest(make_source(seed_file=None), text="x" * 200)


def test_ingesting_the_same_file_twice_changes_nothing():
    document = make_source(seed_file=None)
    ingest(document)
    ids = list(Passage.objects.filter(document=document).values_list("pk", flat=True))
    assert ingest(document).unchanged
    assert list(Passage.objects.filter(document=document).values_list("pk", flat=True)) == ids


def test_a_refused_new_version_leaves_the_old_text(monkeypatch):
    document = make_source(seed_file=None)
    ingest(document)
    before = list(Passage.objects.filter(document=document).values_list("text", flat=True))

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Citation.objects, "bulk_update", fail)
    with pytest.raises(RuntimeError):
        ingest(document, text=TEXT + "\n3. A third paragraph.\n")
    assert list(Passage.objects.filter(document=document).values_list("text", flat=True)) == before


def test_a_new_version_keeps_matching_citations_and_lists_the_others():
    document = make_source(seed_file=None)
    ingest(document)
    practice = make_practice()
    kept = Citation(target=practice, document=document, excerpt="remittance corridors")
    kept.passage = Passage.objects.get(document=document, anchor="p-2")
    kept.full_clean()
    kept.save()
    lost = Citation(target=practice, document=document, excerpt="seasonal workers")
    lost.passage = Passage.objects.get(document=document, anchor="p-1")
    lost.full_clean()
    lost.save()
    new = (
        "I. Introduction\n\nA new opening paragraph.\n\n"
        "1. The first paragraph now speaks of students.\n\n"
        "2. The second paragraph tells of remittance corridors between two countries.\n"
    )
    report = ingest(document, text=new)
    assert (report.kept, [c.pk for c in report.unpinned]) == (1, [lost.pk])
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.passage.anchor == "p-2" and (kept.line_start, kept.problem) == (7, "")
    assert lost.passage is None and "find it again" in lost.problem
    assert Citation.objects.filter(pk=lost.pk).exists()  # listed, never deleted


def test_a_citation_of_a_document_without_text_keeps_its_lines():
    document = make_source(seed_file=None)
    citation = Citation(target=make_practice(), document=document, line_start=3, line_end=4)
    citation.excerpt = "any words"
    citation.full_clean()  # nothing to check against yet
    with pytest.raises(ValidationError):
        Citation(target=make_practice(), document=document, excerpt="x").full_clean()


@needs_seeds
def test_a_new_version_of_a_seed_report_keeps_its_citations_and_lists_the_lost(staff_client):
    """The Brussels report again, with one cited paragraph edited and another removed (lines
    after it move up): the citations of the unchanged text stay pinned, each to a passage holding
    its excerpt; those of the two paragraphs are listed for a curator, none deleted."""
    document = SourceDocument.objects.get(slug="brussels-report")
    lines = (SEEDS / document.seed_file).read_text(encoding="utf-8").splitlines()
    citations = Citation.objects.filter(document=document).select_related("passage")
    by_passage = {}
    for c in citations.order_by("passage__position"):
        by_passage.setdefault(c.passage, []).append(c)
    cited = [p for p in by_passage if p.kind == "paragraph" and p.line_start == p.line_end]
    edited, removed = cited[len(cited) // 3], cited[2 * len(cited) // 3]
    # the edit changes the longest word of the paragraph's first excerpt
    word = max(by_passage[edited][0].excerpt.split(), key=len).strip(".,;:()\"'")
    assert word in lines[edited.line_start - 1]
    lines[edited.line_start - 1] = lines[edited.line_start - 1].replace(word, "changed", 1)
    new_edited = lines[edited.line_start - 1]
    del lines[removed.line_start - 1 : removed.line_end]
    expected_lost = {c.pk for c in by_passage[edited] if not contains(new_edited, c.excerpt)} | {
        c.pk for c in by_passage[removed]
    }
    assert by_passage[edited][0].pk in expected_lost

    report = document_ingest(
        document=document, name="report.txt", data="\n".join(lines).encode() + b"\n"
    )

    assert {c.pk for c in report.unpinned} == expected_lost
    assert report.kept == citations.count() - len(expected_lost)
    for c in citations.filter(problem=""):
        held = contains(c.passage.text, c.excerpt) or contains(
            " ".join(
                p.text
                for p in Passage.objects.covering(document.pk, c.line_start, c.line_end).text()
            ),
            c.excerpt,
        )
        assert held, (c.pk, c.excerpt)
    lost = citations.exclude(problem="")
    assert set(lost.values_list("pk", flat=True)) == expected_lost
    assert all(c.passage_id is None and "find it again" in c.problem for c in lost)
    # the curator's list of citations to check
    body = staff_client.get(
        f"/admin/gfmd/citation/?document__id__exact={document.pk}&problem=yes"
    ).content.decode()
    assert f"{len(expected_lost)} citation" in body
    for c in lost:
        assert f"/admin/gfmd/citation/{c.pk}/change/" in body
