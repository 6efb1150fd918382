"""Proposals and problem reports from the public: the forms, the curators' queue, and abuse."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gfmd.curation import submissions
from gfmd.curation.models import ProblemReport, Proposal, SubmissionStatus
from gfmd.models import SourceDocument
from practices.models import Practice, Status
from tests.factories import make_practice, make_theme

pytestmark = pytest.mark.django_db


def proposal_data(**changes):
    document = SourceDocument.objects.get(slug="brussels-report")
    data = {
        "title": "A proposed pre-departure orientation",
        "description": "Migrants are briefed before they leave.",
        "where": "Philippines",
        "implementers": "A national agency",
        "scope": "national",
        "type": "programme",
        "document": document.pk,
        "line_start": 100,
        "line_end": 101,
        "passage": "the words of the passage",
        "source_url": "",
        "name": "Ana Visitor",
        "email": "ana@example.org",
        "website": "",
    }
    data.update(changes)
    return data


def test_a_proposal_reaches_the_queue_with_a_reference_and_stays_private(client):
    theme = make_theme()
    response = client.post("/propose/", proposal_data(themes=[theme.pk]))
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert response["Location"] == f"/received/{proposal.reference}/"
    page = client.get(response["Location"])
    assert proposal.reference in page.content.decode()
    assert "Ana Visitor" not in page.content.decode()
    assert proposal.status == SubmissionStatus.NEW and list(proposal.themes.all()) == [theme]
    assert (
        "pre-departure orientation" not in client.get("/practices/?q=orientation").content.decode()
    )
    assert not Practice.objects.filter(title=proposal.title).exists()


def test_accepting_makes_a_draft_practice_with_the_citation(django_user_model):
    client = Client()
    client.post("/propose/", proposal_data(themes=[make_theme().pk]))
    proposal = Proposal.objects.get()
    curator = django_user_model.objects.create_superuser("c1", "c1@example.org", "pw")
    practice = submissions.proposal_accept(proposal=proposal, user=curator, note="Checked")
    assert practice.status == Status.DRAFT
    assert not Practice.objects.published().filter(pk=practice.pk).exists()
    citation = practice.citations.get()
    assert (citation.line_start, citation.line_end, citation.excerpt) == (
        100,
        101,
        "the words of the passage",
    )
    proposal.refresh_from_db()
    assert proposal.status == SubmissionStatus.ACCEPTED and proposal.practice == practice
    assert client.get(practice.get_absolute_url()).status_code == 404
    with pytest.raises(submissions.HandlingRefused):
        submissions.proposal_accept(proposal=proposal, user=curator)


def test_curator_asks_for_more_or_declines_with_a_note_in_the_admin(staff_client):
    Client().post("/propose/", proposal_data())
    proposal = Proposal.objects.get()
    url = f"/admin/curation/proposal/{proposal.pk}/change/"
    page = staff_client.get(url)
    assert "ana@example.org" in page.content.decode()  # curators see the sender
    refused = staff_client.post(url, {"curator_note": "", "_decline": "1"})
    assert refused.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == SubmissionStatus.NEW  # a decline needs a note
    staff_client.post(url, {"curator_note": "Which document?", "_needs_info": "1"})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.curator_note) == ("needs_info", "Which document?")
    staff_client.post(url, {"curator_note": "Not a practice", "_decline": "1"})
    proposal.refresh_from_db()
    assert proposal.status == SubmissionStatus.DECLINED
    assert not Practice.objects.filter(title=proposal.title).exists()


def test_a_source_is_required_and_an_upload_is_accepted(client):
    no_source = client.post("/propose/", proposal_data(document="", passage="", line_start=""))
    assert no_source.status_code == 400
    assert "Give the practice&#x27;s source" in no_source.content.decode()
    upload = SimpleUploadedFile("source.pdf", b"%PDF-1.4 a document", "application/pdf")
    data = proposal_data(document="", passage="", line_start="", line_end="")
    data["source_file"] = upload
    assert client.post("/propose/", data).status_code == 302
    assert Proposal.objects.get().source_file.name.endswith(".pdf")
    wrong = SimpleUploadedFile("run.exe", b"MZ", "application/octet-stream")
    data["source_file"] = wrong
    assert client.post("/propose/", data).status_code == 400


def test_a_problem_report_reaches_the_queue(client):
    practice = make_practice()
    page = client.get(practice.get_absolute_url())
    content_type = ContentType.objects.get_for_model(Practice)
    report_url = f"/report/{content_type.pk}/{practice.pk}/"
    assert report_url in page.content.decode()
    response = client.post(
        report_url,
        {
            "problem": "The start year is wrong.",
            "correction": "It began in 2003.",
            "source": "The report, line 12.",
            "name": "Bo",
            "email": "bo@example.org",
        },
    )
    assert response.status_code == 302
    report = ProblemReport.objects.get()
    assert report.record == practice and report.reference.startswith("R-")
    assert report.reference in client.get(response["Location"]).content.decode()


def test_reports_only_about_public_records(client):
    draft = make_practice(status=Status.DRAFT)
    content_type = ContentType.objects.get_for_model(Practice)
    assert client.get(f"/report/{content_type.pk}/{draft.pk}/").status_code == 404
    assert client.get(f"/report/99999/{draft.pk}/").status_code == 404
    assert client.get("/received/P-NOSUCHREF/").status_code == 404


def test_honeypot_refuses_robots(client):
    response = client.post("/propose/", proposal_data(website="http://spam.example"))
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_forms_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post("/propose/", proposal_data()).status_code == 403
    assert not Proposal.objects.exists()


def test_a_burst_of_100_is_rate_limited_without_losing_an_accepted_proposal(
    settings, django_user_model
):
    settings.GFMD_SUBMISSION_RATE = "5/hour"
    client = Client()
    assert client.post("/propose/", proposal_data(title="The first one")).status_code == 302
    curator = django_user_model.objects.create_superuser("c2", "c2@example.org", "pw")
    first = Proposal.objects.get()
    practice = submissions.proposal_accept(proposal=first, user=curator)

    statuses = [client.post("/propose/", proposal_data()).status_code for _ in range(100)]
    assert statuses.count(302) == 4 and statuses.count(429) == 96
    assert Proposal.objects.count() == 5
    first.refresh_from_db()
    assert first.status == SubmissionStatus.ACCEPTED and first.practice == practice
    limited = client.post("/propose/", proposal_data())
    assert "Too many proposals" in limited.content.decode()
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    assert other_address.post("/propose/", proposal_data()).status_code == 302
