"""What a report found and proposed, and what became of a recommendation: report findings and
dated follow-up entries. Kept apart from the meetings' own records (roundtables.models), which
import this module."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gfmd.lib.natural_keys import NaturalKeyQuerySet
from gfmd.lib.search import SearchableQuerySet, search_field, searchable_manager
from gfmd.models import CuratedModel


class FollowUpStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    UNDER_WAY = "under_way", _("Under way")
    REPORTED = "reported", _("Reported")
    COMPLETED = "completed", _("Completed")


class FindingKind(models.TextChoices):
    """The parts of a report that are neither initiatives nor a meeting's recommendations."""

    BACKGROUND = "background", _("Context")
    CONSULTATION = "consultation", _("How Member States were consulted")
    VIEW = "view", _("Member States' views")
    EVALUATION = "evaluation", _("Evaluation")
    CONCLUSION = "conclusion", _("Conclusion")
    OPTION = "option", _("Option for follow-up")
    QUESTION = "question", _("Question put")


class ReportFindingQuerySet(SearchableQuerySet, NaturalKeyQuerySet):
    def with_related(self):
        return self.select_related("document").prefetch_related("themes")

    def for_page(self):
        """With their themes and citations: the report's page and the theme pages list them."""
        return self.with_related().prefetch_related("citations__document")


class ReportFinding(CuratedModel):
    """A finding, a conclusion or an option for follow-up set out by a report, not by a meeting.

    A/63/269 is a report of the Secretary-General, not a session of the Forum: it records how
    Member States were consulted and what they answered, evaluates regional cooperation, and
    sets out options for follow-up within the United Nations that the General Assembly may take
    up. These are not `Recommendation`s: a recommendation is an action a session or horizontal
    issue of a meeting proposed, with people to act and a follow-up status to track toward the
    next meeting; a report's option is put to Member States to decide, and a finding proposes
    nothing. Holding them apart keeps the recommendation list to what the Forum proposed, and
    lets a report's page and its themes' pages show what the report concluded, in its order
    (`number` keeps the paragraph as printed). A shorter note (the RCP chairs' break-out note)
    gives its context and the questions it puts; those are findings of the kinds "context" and
    "question put"."""

    search_weights = {"title": "A", "summary": "B"}
    search = search_field(search_weights)

    slug = models.SlugField(max_length=120, unique=True)
    document = models.ForeignKey(
        "gfmd.SourceDocument", on_delete=models.PROTECT, related_name="findings"
    )
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    number = models.CharField(
        max_length=20, blank=True, help_text="The paragraph as printed ('71 (a)')."
    )
    title = models.CharField(max_length=255, help_text="A short title in plain words.")
    summary = models.TextField(help_text="What the report says, in your own words.")
    themes = models.ManyToManyField("practices.Theme", blank=True, related_name="report_findings")
    order = models.PositiveSmallIntegerField(default=0)

    objects = searchable_manager(ReportFindingQuerySet)

    class Meta:
        ordering = ["document", "order", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FindingKind.values), name="reportfinding_kind_valid"
            ),
        ]
        indexes = [
            # full-text search: ReportFinding.objects.search()
            GinIndex(fields=["search"], name="reportfinding_search_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.document}, para. {self.number}: {self.title}" if self.number else self.title

    def get_absolute_url(self) -> str:
        return f"{self.document.get_absolute_url()}#finding-{self.slug}"


class FollowUp(CuratedModel):
    """A dated entry on what became of a recommendation, as a later document reports it.

    `as_of` is the date of the document that says so (A/63/269: 11 August 2008), not a date of
    our own. The recommendation's `status` is that of its latest entry (a curated-data test
    checks they agree); a recommendation with no entry stays "proposed", and its page says that
    no follow-up is recorded in these documents."""

    natural_key_fields = ("recommendation", "as_of")

    recommendation = models.ForeignKey(
        "roundtables.Recommendation", on_delete=models.CASCADE, related_name="follow_ups"
    )
    as_of = models.DateField(help_text="The date of the document that reports it.")
    status = models.CharField(max_length=12, choices=FollowUpStatus.choices)
    note = models.TextField(help_text="What the later document says became of it, your words.")

    objects = NaturalKeyQuerySet.as_manager()

    class Meta:
        ordering = ["recommendation", "as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["recommendation", "as_of"], name="followup_unique_date"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values), name="followup_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.get_status_display()} ({self.as_of})"
