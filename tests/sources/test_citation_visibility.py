"""Citations of records a visitor cannot see (drafts, practices in review, generated test data)
are not shown to the public, in the citations API, the sources API or the reader; staff see
them in the API."""

import pytest

from gfmd.models import Passage
from gfmd.texts import document_ingest
from tests.factories import make_citation, make_practice, make_recommendation, make_source

pytestmark = pytest.mark.django_db

TEXT = (
    b"A paragraph a published practice quotes.\n\n"
    b"A paragraph only a draft quotes, with its secret words.\n\n"
    b"A paragraph generated data quotes.\n"
)


@pytest.fixture
def cited():
    document = make_source(seed_file=None)
    document_ingest(document=document, name="t.txt", data=TEXT)
    first, second, third = Passage.objects.filter(document=document).order_by("position")

    def cite(target, passage, excerpt):
        return make_citation(
            target,
            document=document,
            passage=passage,
            line_start=passage.line_start,
            excerpt=excerpt,
        )

    return {
        "document": document,
        "published": cite(make_practice(), first, "a published practice quotes"),
        "draft": cite(make_practice(status="draft"), second, "its secret words"),
        "review": cite(make_practice(status="review"), second, "only a draft quotes"),
        "synthetic": cite(make_recommendation(synthetic=True), third, "generated data quotes"),
    }


def listed(client, document):
    response = client.get(f"/api/v1/citations/?document={document.slug}")
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_the_public_citations_api_lists_only_those_of_published_records(client, cited):
    assert listed(client, cited["document"]) == {cited["published"].pk}
    for hidden in ("draft", "review", "synthetic"):
        assert client.get(f"/api/v1/citations/{cited[hidden].pk}/").status_code == 404
    assert client.get(f"/api/v1/citations/{cited['published'].pk}/").status_code == 200


def test_staff_see_every_citation_in_the_api(staff_client, cited):
    assert listed(staff_client, cited["document"]) == {
        cited[k].pk for k in ("published", "draft", "review", "synthetic")
    }
    assert staff_client.get(f"/api/v1/citations/{cited['draft'].pk}/").status_code == 200


def test_the_sources_api_counts_only_public_citations(client, cited):
    for url in (f"/api/v1/sources/{cited['document'].slug}/", "/api/v1/sources/?page_size=100"):
        data = client.get(url).json()
        rows = data.get("results", [data])
        row = next(r for r in rows if r["slug"] == cited["document"].slug)
        assert (row["citation_count"], row["cited_passage_count"]) == (1, 1)


def test_the_reader_highlights_only_public_citations(client, cited):
    body = client.get(cited["document"].get_absolute_url()).content.decode()
    assert "<mark>a published practice quotes</mark>" in body
    assert "secret words</mark>" not in body and "draft quotes</mark>" not in body
    assert "generated data quotes</mark>" not in body
    assert "1 of 3 passages cited; 1 citation" in body
