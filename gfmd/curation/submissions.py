"""The curators' handling of proposals and reports: accept, ask for more, decline, with a note.

Accepting a proposal makes a draft practice (never a published one: it then goes through review,
gfmd.lib.review), citing the proposal's passage where it names a document of the knowledge base.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from gfmd.curation.models import Proposal, SubmissionStatus
from gfmd.lib.history import record_snapshot
from gfmd.models import Citation
from practices.models import Practice, Status


class HandlingRefused(Exception):
    """A step that cannot be taken; the message says why."""


def _unique_slug(title: str) -> str:
    base = slugify(title)[:140] or "proposed-practice"
    slug, n = base, 2
    while Practice.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _handled(submission, status: str, *, user, note: str) -> None:
    submission.status = status
    submission.handled_by = user
    submission.handled_at = timezone.now()
    if note:
        submission.curator_note = note
    submission.save()


@transaction.atomic
def proposal_accept(*, proposal: Proposal, user, note: str = "") -> Practice:
    """Make a draft practice of the proposal, with its citation; the proposal is accepted."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == SubmissionStatus.ACCEPTED:
        raise HandlingRefused(f"{proposal.reference} is accepted already.")
    sources = [f"Proposed by a visitor ({proposal.reference}).", f"Where: {proposal.where}."]
    sources.append(f"Implemented by: {proposal.implementers}.")
    if proposal.source_url:
        sources.append(f"Source given: {proposal.source_url}")
    if proposal.source_file:
        sources.append(f"Document uploaded with the proposal: {proposal.source_file.name}")
    practice = Practice(
        slug=_unique_slug(proposal.title),
        title=proposal.title,
        summary=proposal.description[:500],
        description=proposal.description,
        scope=proposal.scope,
        type=proposal.type,
        status=Status.DRAFT,
        curator_note="\n".join(sources),
    )
    practice._history_user = user
    practice._change_reason = f"From proposal {proposal.reference}"
    practice.save()
    practice.themes.set(proposal.themes.all())
    if proposal.document_id and proposal.passage and proposal.line_start:
        Citation.objects.create(
            target=practice,
            document_id=proposal.document_id,
            locator=f"Proposed passage ({proposal.reference})",
            line_start=proposal.line_start,
            line_end=proposal.line_end or proposal.line_start,
            excerpt=proposal.passage,
        )
    record_snapshot(practice, user=user)
    proposal.practice = practice
    _handled(proposal, SubmissionStatus.ACCEPTED, user=user, note=note)
    return practice


def ask_for_more_message(submission, note: str) -> EmailMessage:
    """The e-mail asking the sender of `submission` for more: to their address alone (no other
    recipient sees it), with the curator's note and the reference; replies reach the curators
    (GFMD_CURATORS_EMAIL)."""
    what = "proposal" if isinstance(submission, Proposal) else "report"
    body = (
        f"Dear {submission.name},\n\n"
        f"Thank you for your {what} to GFMD Practices (reference {submission.reference}). "
        "Before we can act on it, a curator asks for more information:\n\n"
        f"{note}\n\n"
        f"Please reply to this e-mail, keeping the reference {submission.reference} in the "
        f"subject. Nothing from your {what} is published until a curator has accepted it.\n"
    )
    return EmailMessage(
        subject=f"Your {what} {submission.reference} to GFMD Practices: more information, please",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[submission.email],
        reply_to=[settings.GFMD_CURATORS_EMAIL],
    )


@transaction.atomic
def submission_set_status(*, submission, status: str, user, note: str = "") -> None:
    """Ask for more (an e-mail to the sender), decline, or (for a report) accept, with the
    curator's note. If the e-mail cannot be sent, nothing changes and the curator is told."""
    if status not in SubmissionStatus.values or status == SubmissionStatus.NEW:
        raise HandlingRefused(f"Unknown step {status!r}.")
    if status != SubmissionStatus.ACCEPTED and not note:
        raise HandlingRefused("Say why in the curator note.")
    _handled(submission, status, user=user, note=note)
    if status == SubmissionStatus.NEEDS_INFO:
        try:
            ask_for_more_message(submission, note).send()
        except OSError as exc:  # SMTP refused or unreachable: the step is rolled back
            raise HandlingRefused(
                f"The e-mail to the sender of {submission.reference} could not be sent ({exc}); "
                "nothing was changed. Try again later."
            ) from None
