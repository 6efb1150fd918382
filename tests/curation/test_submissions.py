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


def _burst_from(client_ip: str, **headers) -> list[int]:
    """Six proposals over one connection from nginx (127.0.0.1) for the client `client_ip`."""
    client = Client(REMOTE_ADDR="127.0.0.1")
    forwarded = {"HTTP_X_REAL_IP": client_ip, "HTTP_X_FORWARDED_FOR": client_ip, **headers}
    return [client.post("/propose/", proposal_data(), **forwarded).status_code for _ in range(6)]


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_client(settings):
    settings.GFMD_SUBMISSION_RATE = "5/hour"
    settings.GFMD_TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    assert _burst_from("198.51.100.1") == [302] * 5 + [429]
    # Another client behind the same proxy has its own count.
    assert _burst_from("198.51.100.2")[0] == 302
    # A header that is no address is ignored: the proxy's own address is counted.
    assert _burst_from("not-an-address")[:5] == [302] * 5


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(settings):
    settings.GFMD_SUBMISSION_RATE = "5/hour"
    settings.GFMD_TRUSTED_PROXIES = frozenset()
    assert _burst_from("198.51.100.3") == [302] * 5 + [429]
    # A client claiming another address gets no fresh count: the connection's address is used.
    assert _burst_from("198.51.100.4") == [429] * 6


def test_asking_for_more_e_mails_the_sender_alone_with_the_note_and_reference(
    staff_client, settings, mailoutbox
):
    settings.GFMD_CURATORS_EMAIL = "curators@example.org"
    Client().post("/propose/", proposal_data())
    proposal = Proposal.objects.get()
    url = f"/admin/curation/proposal/{proposal.pk}/change/"
    staff_client.post(url, {"curator_note": "Which page of the report?", "_needs_info": "1"})
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ana@example.org"] and not message.cc and not message.bcc
    assert message.reply_to == ["curators@example.org"]
    assert proposal.reference in message.subject
    assert "Which page of the report?" in message.body and proposal.reference in message.body
    assert "Dear Ana Visitor" in message.body
    # Declining sends nothing.
    staff_client.post(url, {"curator_note": "Not a practice", "_decline": "1"})
    assert len(mailoutbox) == 1


def test_a_report_sender_is_asked_for_more_by_e_mail(mailoutbox, django_user_model):
    practice = make_practice()
    content_type = ContentType.objects.get_for_model(Practice)
    Client().post(
        f"/report/{content_type.pk}/{practice.pk}/",
        {"problem": "The year is wrong.", "name": "Bo", "email": "bo@example.org"},
    )
    report = ProblemReport.objects.get()
    curator = django_user_model.objects.create_superuser("c3", "c3@example.org", "pw")
    submissions.submission_set_status(
        submission=report, status=SubmissionStatus.NEEDS_INFO, user=curator, note="Which year?"
    )
    assert [m.to for m in mailoutbox] == [["bo@example.org"]]
    assert "your report" in mailoutbox[0].body and report.reference in mailoutbox[0].subject


def test_when_the_e_mail_cannot_be_sent_nothing_changes(settings, django_user_model):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    Client().post("/propose/", proposal_data())
    proposal = Proposal.objects.get()
    curator = django_user_model.objects.create_superuser("c4", "c4@example.org", "pw")
    with pytest.raises(submissions.HandlingRefused, match="could not be sent"):
        submissions.submission_set_status(
            submission=proposal, status=SubmissionStatus.NEEDS_INFO, user=curator, note="More?"
        )
    proposal.refresh_from_db()
    assert proposal.status == SubmissionStatus.NEW


def test_accepting_a_report_opens_the_record_to_correct_with_the_report_as_its_reason(
    staff_client,
):
    from tests.gfmd.test_locking import change_form

    practice = make_practice(start_year=1999)
    content_type = ContentType.objects.get_for_model(Practice)
    Client().post(
        f"/report/{content_type.pk}/{practice.pk}/",
        {
            "problem": "The start year is wrong.",
            "correction": "It began in 2003.",
            "source": "The report, line 12.",
            "name": "Bo",
            "email": "bo@example.org",
        },
    )
    report = ProblemReport.objects.get()
    accepted = staff_client.post(
        f"/admin/curation/problemreport/{report.pk}/change/",
        {"curator_note": "Checked: 2003", "_accept": "1"},
    )
    report.refresh_from_db()
    assert report.status == SubmissionStatus.ACCEPTED and report.curator_note == "Checked: 2003"
    location = accepted["Location"]
    assert location.startswith(f"/admin/practices/practice/{practice.pk}/change/?change_reason=")
    form_page = staff_client.get(location)
    body = form_page.content.decode()
    assert "It began in 2003." in body and report.reference in body  # the report beside the form
    reason = form_page.context["adminform"].form["change_reason"].value()
    assert reason == f"Correction from problem report {report.reference}"

    data = change_form(staff_client, practice)
    data.update(start_year=2003, change_reason=reason)
    saved = staff_client.post(f"/admin/practices/practice/{practice.pk}/change/", data)
    assert saved.status_code == 302
    practice.refresh_from_db()
    assert practice.start_year == 2003 and practice.version == 2
    assert practice.history.first().history_change_reason == reason
    public = Client().get(practice.get_absolute_url()).content.decode()
    assert f"by a curator (version 2): Correction from problem report {report.reference}" in public
