"""A citation is checked wherever it is written: the model (and so the admin and the loader),
the API and a restore refuse an excerpt that is not in the cited passage, a passage of another
document and lines that do not exist, with the passage's text in the message."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from gfmd.curation.loader import CuratedDataError, Loader
from gfmd.models import Citation, Passage
from gfmd.texts import document_ingest
from tests.factories import make_practice, make_source

pytestmark = pytest.mark.django_db

FAKE = "The Forum agreed that every nurse should be paid double by 2010."
TEXT = (
    "I. Introduction\n\n"
    "1. Governments named focal points to coordinate national positions on migration.\n\n"
    "2. The Forum asked that the focal points be kept and networked.\n"
)


@pytest.fixture
def document():
    document = make_source(seed_file=None)
    document_ingest(document=document, name="doc.txt", data=TEXT.encode())
    return document


def citation(document, **fields):
    return Citation(target=make_practice(), document=document, **fields)


def test_an_excerpt_in_the_passage_is_accepted_and_pinned(document):
    c = citation(document, line_start=3, line_end=3, excerpt="named focal points")
    c.full_clean()
    assert (c.passage.anchor, c.locator) == ("p-1", "I. Introduction")


def test_case_accents_quotes_and_spaces_are_folded(document):
    c = citation(document, line_start=3, line_end=3, excerpt="GOVERNMENTS  named focal   points")
    c.full_clean()


def test_a_fabricated_excerpt_is_refused_with_the_passage_text(document):
    c = citation(document, line_start=3, line_end=3, excerpt=FAKE)
    with pytest.raises(ValidationError) as error:
        c.full_clean()
    message = error.value.message_dict["excerpt"][0]
    assert "not in para. 1" in message and "Governments named focal points" in message


def test_lines_that_do_not_exist_are_refused(document):
    c = citation(document, line_start=999999, line_end=999999, excerpt="focal points")
    with pytest.raises(ValidationError, match="do not exist"):
        c.full_clean()


def test_a_passage_of_another_document_is_refused(document):
    other = make_source(seed_file=None)
    document_ingest(document=other, name="o.txt", data=TEXT.encode())
    c = citation(document, excerpt="focal points")
    c.passage = Passage.objects.get(document=other, anchor="p-1")
    with pytest.raises(ValidationError, match="not of"):
        c.full_clean()


def test_a_passage_chosen_gives_the_lines(document):
    c = citation(document, excerpt="kept and networked")
    c.passage = Passage.objects.get(document=document, anchor="p-2")
    c.full_clean()
    assert (c.line_start, c.line_end) == (5, 5)


def test_the_admin_refuses_a_fabricated_excerpt(staff_client, document):
    practice = make_practice()
    response = staff_client.post(
        reverse("admin:gfmd_citation_add"),
        {
            "content_type": ContentType.objects.get_for_model(practice).pk,
            "object_id": practice.pk,
            "document": document.pk,
            "passage": Passage.objects.get(document=document, anchor="p-1").pk,
            "excerpt": FAKE,
            "order": 0,
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "This excerpt is not in para. 1" in response.content.decode()
    assert not Citation.objects.filter(excerpt=FAKE).exists()


def api_payload(document, **fields):
    practice = make_practice()
    return {
        "record_type": "practices.practice",
        "object_id": practice.pk,
        "document": document.slug,
        **fields,
    }


def test_the_api_refuses_a_fabricated_excerpt(staff_client, document):
    response = staff_client.post(
        "/api/v1/citations/",
        api_payload(document, passage="p-1", excerpt=FAKE),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Governments named focal points" in response.json()["excerpt"][0]


def test_the_api_refuses_a_passage_that_does_not_exist(staff_client, document):
    response = staff_client.post(
        "/api/v1/citations/",
        api_payload(document, passage="p-99", excerpt="focal points"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "has no passage 'p-99'" in response.json()["passage"][0]


def test_staff_write_a_citation_through_the_api(staff_client, document):
    response = staff_client.post(
        "/api/v1/citations/",
        api_payload(document, passage="p-2", excerpt="kept and networked"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["passage"], body["place"], body["line_start"]) == ("p-2", "para. 2", 5)
    assert body["web_url"].endswith(f"/sources/{document.slug}/?page=1#p-2")


def test_anonymous_clients_read_citations_but_cannot_write(client, document):
    assert client.get("/api/v1/citations/").status_code == 200
    response = client.post(
        "/api/v1/citations/", api_payload(document, passage="p-2", excerpt="kept")
    )
    assert response.status_code == 403


def test_the_loader_refuses_a_fabricated_excerpt(document):
    text = f"""
- model: practices.theme
  slug: test-theme-citation-check
  name: Test theme
  kind: topic
  citations:
    - document: {document.slug}
      lines: [3, 3]
      excerpt: "{FAKE}"
"""
    with pytest.raises(CuratedDataError, match="This excerpt is not in para. 1"):
        Loader("test.yaml").load_text(text)


def test_the_loader_resolves_a_cited_paragraph(document):
    text = f"""
- model: practices.theme
  slug: test-theme-cites-paragraph
  name: Test theme
  kind: topic
  citations:
    - document: {document.slug}
      passage: p-2
      excerpt: "kept and networked"
"""
    Loader("test.yaml").load_text(text)
    c = Citation.objects.get(excerpt="kept and networked")
    assert (c.passage.anchor, c.line_start, c.line_end) == ("p-2", 5, 5)
