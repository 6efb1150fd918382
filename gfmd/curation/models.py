"""What the public sends to the curators: proposals of practices and reports of problems.

Nothing here is ever shown publicly. A curator accepts a proposal (which makes a draft practice,
with a citation where the source is a passage of a document in the knowledge base), asks for
more, or declines it, with a note; the same for a report. The sender's name and e-mail are for
the curators alone."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q

from practices.models import PracticeType, Scope

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely


def new_reference(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class SubmissionStatus(models.TextChoices):
    NEW = "new", "New"
    NEEDS_INFO = "needs_info", "More information asked for"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Submission(models.Model):
    """What every proposal and report has: a reference, a status and the curators' handling."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    status = models.CharField(
        max_length=12, choices=SubmissionStatus.choices, default=SubmissionStatus.NEW
    )
    name = models.CharField(max_length=120, help_text="The sender's name (private).")
    email = models.EmailField(max_length=254, help_text="The sender's e-mail (private).")
    submitted_at = models.DateTimeField(auto_now_add=True)
    curator_note = models.TextField(
        blank=True, help_text="Why it was accepted, declined or what more is needed."
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    reference_prefix = "S"

    class Meta:
        abstract = True
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = new_reference(self.reference_prefix)
        super().save(*args, **kwargs)


class Proposal(Submission):
    """A practice proposed by a visitor, with its source."""

    reference_prefix = "P"

    title = models.CharField(max_length=255)
    description = models.TextField(max_length=5000, help_text="What was done.")
    where = models.CharField(max_length=300, help_text="Where: countries, regions or places.")
    implementers = models.CharField(max_length=300, help_text="Who implements it.")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    type = models.CharField(max_length=20, choices=PracticeType.choices)
    themes = models.ManyToManyField("practices.Theme", blank=True, related_name="+")
    document = models.ForeignKey(
        "gfmd.SourceDocument",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A document of the knowledge base the practice is found in.",
    )
    line_start = models.PositiveIntegerField(null=True, blank=True)
    line_end = models.PositiveIntegerField(null=True, blank=True)
    passage = models.TextField(
        max_length=2000, blank=True, help_text="The words of the document that describe it."
    )
    source_url = models.URLField(max_length=500, blank=True)
    source_file = models.FileField(
        upload_to="proposals/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(["pdf", "txt", "doc", "docx", "odt", "rtf"])],
    )
    practice = models.ForeignKey(
        "practices.Practice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The draft practice made when the proposal was accepted.",
    )

    class Meta(Submission.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(line_end__gte=models.F("line_start"))
                | Q(line_start__isnull=True)
                | Q(line_end__isnull=True),
                name="proposal_line_range",
            ),
        ]


class ProblemReport(Submission):
    """A visitor's report that a record is wrong, with the correct information and its source."""

    reference_prefix = "R"

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    problem = models.TextField(max_length=3000, help_text="What is wrong.")
    correction = models.TextField(max_length=3000, blank=True, help_text="The correct information.")
    source = models.TextField(
        max_length=1000, blank=True, help_text="Where the correct information comes from."
    )

    class Meta(Submission.Meta):
        indexes = [
            # a record's open reports, from its admin page
            models.Index(fields=["content_type", "object_id"], name="problemreport_record_idx"),
        ]
