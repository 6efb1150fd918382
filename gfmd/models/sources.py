"""Source documents, their passages, and the citations that quote them."""

from __future__ import annotations

import functools
import re

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchHeadline
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from gfmd.lib.links import key_url
from gfmd.lib.models import VersionedModel
from gfmd.lib.natural_keys import NaturalKeyQuerySet
from gfmd.lib.search import CONFIG as SEARCH_CONFIG
from gfmd.lib.search import search_field, search_query
from gfmd.lib.textfold import contains


class SourceDocumentQuerySet(NaturalKeyQuerySet):
    def with_citation_count(self):
        """The citations a visitor sees, counted in a subquery."""
        citations = Citation.objects.public().filter(document=models.OuterRef("pk"))
        return self.annotate(citation_count=_count(citations))

    def with_coverage(self):
        """Citations, passages (headings and page furniture left out) and passages cited, each
        counted in a subquery of its own, so that no count multiplies another. Only the citations
        a visitor sees count (`CitationQuerySet.public`)."""
        passages = Passage.objects.filter(document=models.OuterRef("pk")).exclude(
            kind=PassageKind.FURNITURE
        )
        cited = passages.filter(
            models.Exists(Citation.objects.public().filter(passage=models.OuterRef("pk")))
        )
        citations = Citation.objects.public().filter(document=models.OuterRef("pk"))
        return self.annotate(
            citation_count=_count(citations),
            passage_count=_count(passages),
            cited_passage_count=_count(cited),
        ).order_by(*self.model._meta.ordering)

    def for_detail(self):
        # the findings and documents a report names are shown on its page
        return self.with_coverage().prefetch_related(
            "findings__themes",
            models.Prefetch(
                "findings__citations",
                queryset=Citation.objects.select_related("document", "passage"),
            ),
            models.Prefetch(
                "referenced_documents__citations",
                queryset=Citation.objects.select_related("document", "passage"),
            ),
        )


def _count(queryset):
    """SQL: the number of rows of `queryset`, as a scalar subquery (COUNT without GROUP BY)."""
    counted = queryset.order_by().annotate(n=models.Func(models.F("pk"), function="COUNT"))
    return models.Subquery(counted.values("n"), output_field=models.IntegerField())


# Passages per page of the reader: a page of the longest report is a few screens, and a passage's
# page follows from its position alone, so a link to it needs no query.
READER_PAGE_SIZE = 80


class TextFormat(models.TextChoices):
    TEXT = "text", "Plain text"
    MARKDOWN = "markdown", "Markdown"
    PDF = "pdf", "PDF"


# What a curator says about a document (rather than its text): the fields of the admin's form, of
# an upload through the API and of the API's own description of a source.
DOCUMENT_DESCRIPTION_FIELDS = (
    "slug",
    "title",
    "short_title",
    "symbol",
    "publisher",
    "published",
    "date_text",
    "original_url",
    "description",
)


class SourceDocument(VersionedModel):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    short_title = models.CharField(max_length=120, blank=True)
    symbol = models.CharField(max_length=60, blank=True, help_text="UN document symbol, if any.")
    publisher = models.CharField(max_length=200, blank=True)
    published = models.DateField(null=True, blank=True)
    date_text = models.CharField(
        max_length=60, blank=True, help_text="The date as printed, where only part of it is known."
    )
    seed_file = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text="For the seed documents: the file in the seeds directory the text is read from. "
        "Never shown on public pages.",
    )
    original_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Where the original publication can be read, only where the document or its "
        "publisher gives the address.",
    )
    description = models.TextField(
        help_text="What the document is and what it gives, in your words."
    )
    order = models.PositiveSmallIntegerField(default=0)
    text_format = models.CharField(
        max_length=10, choices=TextFormat.choices, blank=True, editable=False
    )
    text_sha256 = models.CharField(
        max_length=64, blank=True, editable=False, help_text="Digest of the file last ingested."
    )
    line_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Lines of the ingested text; 0 while none is loaded."
    )
    page_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    ingested_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SourceDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.short_title or self.title

    @property
    def year(self) -> int | None:
        """The year of publication: of `published`, else the first year in `date_text` (the
        Brussels report of the 2007 meeting was published in 2008)."""
        if self.published:
            return self.published.year
        match = re.search(r"\b(1[89]|20)[0-9]{2}\b", self.date_text)
        return int(match.group(0)) if match else None

    def get_absolute_url(self) -> str:
        return key_url("source-detail", self.slug)

    @property
    def has_text(self) -> bool:
        return self.line_count > 0


class PassageKind(models.TextChoices):
    HEADING = "heading", "Heading"
    PARAGRAPH = "paragraph", "Paragraph"
    FURNITURE = "furniture", "Page furniture"


class PassageQuerySet(models.QuerySet):
    def text(self):
        """Headings and paragraphs: what a reader reads and a curator cites."""
        return self.exclude(kind=PassageKind.FURNITURE)

    def uncited(self):
        return self.text().filter(kind=PassageKind.PARAGRAPH, citations__isnull=True)

    def covering(self, document_id: int, line_start: int, line_end: int):
        """The passages of a document that share at least one line with the range."""
        return self.filter(
            document_id=document_id, line_start__lte=line_end, line_end__gte=line_start
        ).order_by("position")

    def search(self, text: str):
        query = search_query(text)
        return (
            self.filter(search=query)
            .annotate(
                headline=SearchHeadline(
                    "text",
                    query,
                    config=SEARCH_CONFIG,
                    start_sel="<mark>",
                    stop_sel="</mark>",
                    max_words=40,
                    min_words=15,
                )
            )
            .order_by("position")
        )


class Passage(models.Model):
    """A paragraph or heading of a source document's text, with where it stands in it."""

    document = models.ForeignKey(SourceDocument, on_delete=models.CASCADE, related_name="passages")
    position = models.PositiveIntegerField(help_text="Order in the document, from 1.")
    anchor = models.SlugField(
        max_length=20, help_text="'p-27' for numbered paragraph 27, else 'l-<first line>'."
    )
    kind = models.CharField(max_length=10, choices=PassageKind.choices)
    level = models.PositiveSmallIntegerField(default=0, help_text="Of a heading: 1 is a part.")
    number = models.CharField(max_length=10, blank=True, help_text="Paragraph number as printed.")
    section = models.CharField(max_length=500, blank=True, help_text="The headings it is under.")
    page = models.PositiveIntegerField(null=True, blank=True, help_text="Page of the file.")
    line_start = models.PositiveIntegerField()
    line_end = models.PositiveIntegerField()
    text = models.TextField()
    search = search_field({"text": "A"})

    objects = PassageQuerySet.as_manager()

    class Meta:
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "position"], name="passage_unique_position"
            ),
            models.UniqueConstraint(fields=["document", "anchor"], name="passage_unique_anchor"),
            models.CheckConstraint(
                condition=Q(line_end__gte=models.F("line_start")), name="passage_line_range"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PassageKind.values), name="passage_kind_valid"
            ),
        ]
        indexes = [
            # a citation's line range is mapped to the passages it covers
            models.Index(fields=["document", "line_start"], name="passage_lines_idx"),
            # search within a document
            GinIndex(fields=["search"], name="passage_search_idx"),
        ]

    def __str__(self) -> str:
        # Without the document's name: a label must cost no query (admin widgets list many).
        text = " ".join(self.text.split())
        return f"{self.place}: {text[:70]}{'…' if len(text) > 70 else ''}"

    def get_absolute_url(self) -> str:
        return f"{self.document.get_absolute_url()}?page={self.reader_page}#{self.anchor}"

    @property
    def reader_page(self) -> int:
        return (self.position - 1) // READER_PAGE_SIZE + 1

    @property
    def place(self) -> str:
        """Where the passage stands, as a reader finds it: paragraph number, else page, else
        line."""
        if self.number:
            return f"para. {self.number}"
        if self.page:
            return f"p. {self.page}"
        if self.line_start == self.line_end:
            return f"line {self.line_start}"
        return f"lines {self.line_start}-{self.line_end}"


class CitationQuerySet(models.QuerySet):
    def public(self):
        """The citations a visitor may see: of records a visitor sees. A record whose queryset
        has `published()` (a practice in draft or in review, generated test data) is seen only
        when published; the others (meetings, sessions, RCPs...) always. One condition with a
        subquery per such kind, so the list still costs one query."""
        visible = Q()
        hidden_kinds = []
        for model in citing_models():
            queryset = model._default_manager.all()
            if not hasattr(queryset, "published"):
                continue
            content_type = ContentType.objects.get_for_model(model)
            hidden_kinds.append(content_type.pk)
            visible |= Q(content_type=content_type, object_id__in=queryset.published().values("pk"))
        return self.filter(visible | ~Q(content_type__in=hidden_kinds))


@functools.cache
def citing_models() -> tuple[type[models.Model], ...]:
    """The models that carry citations (a generic relation to Citation), found once: the set of
    models is fixed once the apps are loaded, and every public citation query reads it."""
    return tuple(
        model
        for model in apps.get_models()
        if any(getattr(f, "related_model", None) is Citation for f in model._meta.private_fields)
    )


class Citation(models.Model):
    """Where a record comes from: a passage of a document, and a short verbatim excerpt of it.

    Citations attach to any curated record through a generic relation, so every model carries the
    same `citations` relation and the admin shows them inline on whatever they cite. The line
    range is the place in the document's text; the passage is the paragraph that holds the
    excerpt (the first of them, for an excerpt that runs over a page break). While a document's
    text is not loaded, a citation keeps its lines and has no passage.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    document = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="citations")
    passage = models.ForeignKey(
        Passage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citations",
        help_text="The passage quoted. Given a passage, the lines may be left empty.",
    )
    locator = models.CharField(
        max_length=300,
        blank=True,
        help_text="Section path, e.g. 'III 2.2.1 Roundtable 1 > Session 1.1 > Panel discussion'; "
        "left empty, the passage's section is used.",
    )
    line_start = models.PositiveIntegerField(
        null=True, blank=True, help_text="First line of the document's text cited."
    )
    line_end = models.PositiveIntegerField(
        null=True, blank=True, help_text="Last line of the document's text cited."
    )
    excerpt = models.TextField(help_text="Verbatim words from the passage, at most about 40.")
    order = models.PositiveSmallIntegerField(default=0)
    problem = models.CharField(
        max_length=500,
        blank=True,
        editable=False,
        help_text="Set when a new version of the document no longer holds the excerpt.",
    )
    history = HistoricalRecords()

    objects = CitationQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "order", "line_start"]
        indexes = [
            # every detail page prefetches the citations of its record
            models.Index(fields=["content_type", "object_id"], name="citation_target_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(line_end__gte=models.F("line_start")), name="citation_line_range"
            ),
            models.CheckConstraint(condition=~Q(excerpt=""), name="citation_excerpt_not_empty"),
        ]

    def __str__(self) -> str:
        excerpt = self.excerpt if len(self.excerpt) <= 60 else self.excerpt[:60] + "…"
        return f"{self.document}, {self.place}: \u201c{excerpt}\u201d"

    def get_absolute_url(self) -> str:
        """The cited passage in the document's reader (the document itself while its text is not
        loaded). Uses the citation's document, so a prefetched one costs no query."""
        url = self.document.get_absolute_url()
        if self.passage_id:
            return f"{url}?page={self.passage.reader_page}#{self.passage.anchor}"
        return url

    @property
    def lines(self) -> str:
        if self.line_start is None:
            return ""
        if self.line_start == self.line_end:
            return f"line {self.line_start}"
        return f"lines {self.line_start}-{self.line_end}"

    @property
    def place(self) -> str:
        return self.passage.place if self.passage_id else self.lines

    def clean(self) -> None:
        """The excerpt must stand in the cited passage (or the passages of the cited lines),
        compared with white space, quotes, dashes, accents and case folded; the passage must be
        of the cited document and the lines must exist. Without a passage, one is found from the
        lines."""
        super().clean()
        if not self.document_id and self.passage_id:
            self.document = self.passage.document
        if not self.document_id:
            return
        document = self.document
        if self.passage_id:
            passage = self.passage
            if passage.document_id != document.pk:
                raise ValidationError(
                    {
                        "passage": f"Passage {passage.anchor} is of {passage.document}, not of "
                        f"{document}: cite a passage of the document named."
                    }
                )
            if self.line_start is None:
                self.line_start, self.line_end = passage.line_start, passage.line_end
        if self.line_start is None or self.line_end is None:
            raise ValidationError(
                {"line_start": "Choose the passage quoted, or give the first and last lines."}
            )
        if self.line_end < self.line_start:
            raise ValidationError({"line_end": "The last line comes before the first."})
        if not document.has_text:
            return  # the text is not loaded: the lines and excerpt are checked when it is
        if self.line_end > document.line_count:
            raise ValidationError(
                {
                    "line_end": f"Lines {self.line_start}-{self.line_end} do not exist: "
                    f"{document}'s text has {document.line_count} lines."
                }
            )
        covering = list(
            Passage.objects.covering(document.pk, self.line_start, self.line_end).text()
        )
        if self.passage_id and self.passage.pk not in {p.pk for p in covering}:
            raise ValidationError(
                {
                    "passage": f"Passage {self.passage.anchor} is lines {self.passage.line_start}-"
                    f"{self.passage.line_end}, not lines {self.line_start}-{self.line_end}."
                }
            )
        if not self.excerpt.strip():
            return  # the field's own check says the excerpt is required
        holding = [p for p in covering if contains(p.text, self.excerpt)]
        start = spanning_start(covering, self.excerpt)
        if not holding and start is None:
            shown = self.passage if self.passage_id else (covering[0] if covering else None)
            text = shown.text if shown else ""
            where = shown.place if shown else self.lines
            raise ValidationError(
                {
                    "excerpt": f"This excerpt is not in {where} of {document}. "
                    f"The passage reads: \u201c{text[:1500]}\u201d"
                }
            )
        if not self.passage_id:
            self.passage = holding[0] if holding else start
        if not self.locator:
            self.locator = self.passage.section[:300]
        self.problem = ""


def spanning_start(covering: list[Passage], excerpt: str) -> Passage | None:
    """Of an excerpt that runs over several passages (a list, a page break), the passage it
    starts in: the last of `covering` from which the text still holds the whole excerpt. None
    when the passages together do not hold it."""
    for i in range(len(covering) - 1, -1, -1):
        if contains(" ".join(p.text for p in covering[i:]), excerpt):
            return covering[i]
    return None


def citations_prefetch(lookup: str = "citations") -> models.Prefetch:
    """The citations of the records of a detail page, each with its document and passage in the
    same query (a link to the passage needs both)."""
    return models.Prefetch(lookup, queryset=Citation.objects.select_related("document", "passage"))
