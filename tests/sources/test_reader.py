"""The reader of a source document, the links to it from every citation, coverage, and the
upload of a document through the API."""

import re

import pytest

from gfmd.models import Passage, SourceDocument
from tests.factories import make_source
from tests.sources.pdf import make_pdf
from tests.sources.test_passages import needs_seeds

pytestmark = pytest.mark.django_db

SEED_NAME = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")


@needs_seeds
def test_a_record_page_links_each_citation_to_its_passage(client):
    body = client.get("/practices/malawi-health-worker-retention/").content.decode()
    assert 'href="/sources/brussels-report/?page=4#l-617"' in body
    assert "line 617" in body


@needs_seeds
def test_a_numbered_paragraph_is_cited_by_its_number(client):
    body = client.get("/practices/gfmd-national-focal-points/").content.decode()
    assert "para. 14</a>" in body


@pytest.mark.parametrize(
    "url",
    [
        "/sources/",
        "/sources/brussels-report/",
        "/sources/a-63-269/?q=focal",
        "/practices/malawi-health-worker-retention/",
        "/api/v1/sources/",
        "/api/v1/sources/brussels-report/",
        "/api/v1/citations/",
        "/api/v1/practices/malawi-health-worker-retention/",
    ],
)
def test_no_public_page_shows_a_seed_file_name(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert not SEED_NAME.search(response.content.decode())


def test_a_source_without_its_text_says_so(client):
    document = make_source(seed_file=None)
    body = client.get(document.get_absolute_url()).content.decode()
    assert "The text of this document is not loaded" in body


@needs_seeds
def test_the_reader_highlights_cited_passages_with_the_records_citing_them(client):
    body = client.get("/sources/brussels-report/?page=4").content.decode()
    assert 'class="passage cited"' in body
    assert "<mark>" in body
    assert 'href="/practices/malawi-health-worker-retention/"' in body


def test_a_page_beyond_the_text_is_404(client):
    assert client.get("/sources/brussels-report/?page=999").status_code in (404,)


def test_a_bad_page_number_is_400(client):
    response = client.get("/sources/brussels-report/?page=x")
    assert response.status_code == 400
    assert "page" in response.content.decode().lower()


@needs_seeds
def test_search_within_a_document_links_to_the_passages(client):
    body = client.get("/sources/a-63-269/?q=focal+points").content.decode()
    assert 'href="/sources/a-63-269/?page=1#p-14"' in body


@needs_seeds
def test_the_permalink_of_a_passage_redirects_to_its_page():
    from django.test import Client

    response = Client().get("/sources/a-63-269/passages/p-14/")
    assert response.status_code == 302
    assert response["Location"] == "/sources/a-63-269/?page=1#p-14"


@needs_seeds
def test_coverage_is_shown_and_counted(client):
    document = SourceDocument.objects.with_coverage().get(slug="a-63-269")
    cited = Passage.objects.filter(document=document, citations__isnull=False).distinct().count()
    assert document.cited_passage_count == cited > 0
    body = client.get("/sources/a-63-269/").content.decode()
    assert f"{cited} of {document.passage_count} passages cited" in body
    api = client.get("/api/v1/sources/a-63-269/").json()
    assert (api["passage_count"], api["cited_passage_count"]) == (document.passage_count, cited)
    assert "seed_file" not in api


@needs_seeds
def test_the_api_lists_the_uncited_paragraphs(client):
    uncited = client.get("/api/v1/sources/a-63-269/passages/?uncited=true").json()
    assert uncited["count"] == Passage.objects.filter(document__slug="a-63-269").uncited().count()
    assert all(p["kind"] == "paragraph" for p in uncited["results"])


def test_the_sources_api_query_count_is_fixed(client, django_assert_num_queries):
    # Two queries: the count, and a page of documents with their coverage counts in subqueries
    # (the list is paginated like every other list, so it counts its rows first).
    with django_assert_num_queries(2):
        assert client.get("/api/v1/sources/").status_code == 200


def test_the_citations_api_query_count_is_fixed(client, django_assert_num_queries):
    # Two queries: the count, and a page of citations joined to document, passage, content type.
    with django_assert_num_queries(2):
        assert client.get("/api/v1/citations/").status_code == 200


def test_staff_upload_a_text_file_through_the_api(staff_client, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("manila.txt", b"I. Opening\n\n1. The meeting opened in Manila.\n")
    response = staff_client.post(
        "/api/v1/sources/",
        {"file": upload, "slug": "test-manila", "title": "Test report", "description": "A test."},
    )
    assert response.status_code == 201, response.content
    assert response.json()["passage_count"] == 2
    assert 'id="p-1"' in client.get("/sources/test-manila/").content.decode()


def test_staff_upload_a_pdf_through_the_api(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = make_pdf([["A first page about labour mobility."], ["A second page."]])
    response = staff_client.post(
        "/api/v1/sources/",
        {
            "file": SimpleUploadedFile("r.pdf", data),
            "slug": "test-pdf",
            "title": "Test PDF",
            "description": "A test.",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["page_count"] == 2
    assert list(
        Passage.objects.filter(document__slug="test-pdf").values_list("page", flat=True)
    ) == [1, 2]


def test_a_bad_upload_is_refused_and_nothing_stays(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = staff_client.post(
        "/api/v1/sources/",
        {
            "file": SimpleUploadedFile("x.docx", b"PK"),
            "slug": "test-bad",
            "title": "Bad",
            "description": "A test.",
        },
    )
    assert response.status_code == 400
    assert "unsupported type" in response.json()["file"][0]
    assert not SourceDocument.objects.filter(slug="test-bad").exists()


def test_anonymous_clients_cannot_upload(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("t.txt", b"Some text.\n")
    response = client.post("/api/v1/sources/", {"file": upload, "slug": "x", "title": "X"})
    assert response.status_code == 403


def test_staff_upload_a_file_in_the_admin(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    fields = {
        "slug": "test-admin-upload",
        "title": "Admin upload",
        "short_title": "",
        "symbol": "",
        "publisher": "",
        "date_text": "",
        "original_url": "",
        "description": "A test.",
        "order": 0,
        "seed_file": "",
    }
    bad = staff_client.post(
        reverse("admin:gfmd_sourcedocument_add"),
        {**fields, "file": SimpleUploadedFile("notes.docx", b"PK")},
    )
    assert bad.status_code == 200 and "unsupported type (.docx)" in bad.content.decode()
    assert not SourceDocument.objects.filter(slug="test-admin-upload").exists()
    good = staff_client.post(
        reverse("admin:gfmd_sourcedocument_add"),
        {**fields, "file": SimpleUploadedFile("t.txt", b"A paragraph of text.\n")},
    )
    assert good.status_code == 302
    assert Passage.objects.filter(document__slug="test-admin-upload").count() == 1
