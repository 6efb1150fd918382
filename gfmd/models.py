"""Shared reference data: countries, organisations, source documents and citations."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from gfmd.lib.links import key_url
from gfmd.lib.models import VersionedModel, related_model
from gfmd.lib.natural_keys import NaturalKeyQuerySet
from gfmd.lib.search import SearchableQuerySet, search_field, searchable_manager

SlugQuerySet = NaturalKeyQuerySet


def alias_list(text: str) -> list[str]:
    """The names of an `aliases` field (one per line), blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class Region(models.TextChoices):
    """UN M49 regions."""

    AFRICA = "africa", "Africa"
    AMERICAS = "americas", "Americas"
    ASIA = "asia", "Asia"
    EUROPE = "europe", "Europe"
    OCEANIA = "oceania", "Oceania"
    NONE = "none", "No M49 region"


class CountryQuerySet(SearchableQuerySet, NaturalKeyQuerySet):
    def annotate_practice_count(self):
        practices = related_model(self.model, "practices")
        published = practices.objects.published_condition("practices__")
        return self.annotate(practice_count=models.Count("practices", filter=published))

    def for_detail(self):
        practices = related_model(self.model, "practices")
        participations = related_model(self.model, "participations")
        return self.annotate_practice_count().prefetch_related(
            models.Prefetch(
                "practices",
                queryset=practices.objects.published().prefetch_related("themes"),
                to_attr="published_practices",
            ),
            "rcps",
            models.Prefetch(
                "participations",
                queryset=participations.objects.published().select_related(
                    "session", "roundtable", "organisation"
                ),
            ),
        )


class Country(VersionedModel):
    """A state of ISO 3166-1, with its UN M49 region and sub-region."""

    natural_key_fields = ("iso3",)
    search_weights = {
        "name": "A",
        "common_name": "A",
        "iso3": "A",
        "aliases": "B",
        "subregion": "C",
    }
    search = search_field(search_weights)

    iso3 = models.CharField("ISO alpha-3", max_length=3, unique=True)
    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True)
    numeric = models.CharField("ISO numeric", max_length=3, blank=True)
    name = models.CharField(max_length=100, help_text="English short name, as ISO 3166 gives it.")
    common_name = models.CharField(
        max_length=100, blank=True, help_text="The everyday name where it differs ('Bolivia')."
    )
    slug = models.SlugField(max_length=100, unique=True)
    region = models.CharField(max_length=10, choices=Region.choices, default=Region.NONE)
    subregion = models.CharField(max_length=60, blank=True, help_text="UN M49 sub-region.")
    aliases = models.TextField(
        blank=True,
        help_text="Other names the documents use, one per line ('UK', 'Cote d'Ivoire').",
    )

    objects = searchable_manager(CountryQuerySet)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        indexes = [
            # full-text search: Country.objects.search()
            GinIndex(fields=["search"], name="country_search_idx"),
            # country index pages group by region and sub-region
            models.Index(fields=["region", "subregion"], name="country_region_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_format"
            ),
            models.CheckConstraint(
                condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_format"
            ),
            models.CheckConstraint(
                condition=Q(region__in=Region.values), name="country_region_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.common_name or self.name

    def get_absolute_url(self) -> str:
        return key_url("country-detail", self.iso3.lower())


class OrganisationKind(models.TextChoices):
    UN = "un", "UN agency or programme"
    IGO = "igo", "Intergovernmental organisation"
    REGIONAL = "regional", "Regional body"
    GOVERNMENT = "government", "Government body"
    CIVIL_SOCIETY = "civil_society", "Civil society"
    PRIVATE = "private", "Private sector"
    ACADEMIC = "academic", "Academic or research"
    OTHER = "other", "Other"


class OrganisationQuerySet(SearchableQuerySet, SlugQuerySet):
    def with_related(self):
        return self.select_related("country")

    def with_practice_count(self):
        practices = related_model(self.model, "practices")
        published = practices.objects.published_condition("practices__")
        return self.annotate(practice_count=models.Count("practices", filter=published)).order_by(
            *self.model._meta.ordering  # not kept by Django with GROUP BY
        )

    def for_detail(self):
        practices = related_model(self.model, "practices")
        participations = related_model(self.model, "participations")
        return self.with_related().prefetch_related(
            "citations__document",
            models.Prefetch("practices", queryset=practices.objects.published()),
            "rcps",
            models.Prefetch(
                "participations",
                queryset=participations.objects.published().select_related(
                    "session", "roundtable", "meeting"
                ),
            ),
        )


class SourceDocumentQuerySet(SlugQuerySet):
    def with_citation_count(self):
        # Django drops Meta.ordering from a query with GROUP BY: the order is given again.
        return self.annotate(citation_count=models.Count("citations")).order_by(
            *self.model._meta.ordering
        )

    def for_detail(self):
        # the findings and documents a report names are shown on its page
        return self.with_citation_count().prefetch_related(
            "findings__themes",
            "findings__citations__document",
            "referenced_documents__citations__document",
        )


class Organisation(VersionedModel):
    search_weights = {"name": "A", "acronym": "A", "aliases": "A", "description": "B"}
    search = search_field(search_weights)

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=255, help_text="Full name, as the documents spell it.")
    acronym = models.CharField(max_length=30, blank=True)
    aliases = models.TextField(
        blank=True,
        help_text="Other names the documents use, one per line ('UN-DESA', 'CPPS').",
    )
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text="For government bodies and national organisations: the country they belong to.",
    )
    website = models.URLField(blank=True, help_text="Only where the documents give it.")
    description = models.TextField(blank=True, help_text="A sentence or two in your own words.")
    curator_note = models.TextField(blank=True)
    citations = GenericRelation("gfmd.Citation")

    objects = searchable_manager(OrganisationQuerySet)

    class Meta:
        indexes = [
            # full-text search: Organisation.objects.search()
            GinIndex(fields=["search"], name="organisation_search_idx"),
        ]
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def alias_list(self) -> list[str]:
        return alias_list(self.aliases)

    def get_absolute_url(self) -> str:
        return key_url("organisation-detail", self.slug)


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
        max_length=100, unique=True, help_text="The file in shared/seeds the text was read from."
    )
    description = models.TextField(
        help_text="What the document is and what it gives, in your words."
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = SourceDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.short_title or self.title

    def get_absolute_url(self) -> str:
        return key_url("source-detail", self.slug)


class Citation(models.Model):
    """Where a record comes from: a document, a locator and a short verbatim excerpt.

    Citations attach to any curated record through a generic relation, so every model carries the
    same `citations` relation and the admin shows them inline on whatever they cite.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    document = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, related_name="citations")
    locator = models.CharField(
        max_length=300,
        help_text="Section path, e.g. 'III 2.2.1 Roundtable 1 > Session 1.1 > Panel discussion'.",
    )
    line_start = models.PositiveIntegerField(help_text="First line of the seed file cited.")
    line_end = models.PositiveIntegerField(help_text="Last line of the seed file cited.")
    excerpt = models.TextField(help_text="Verbatim words from those lines, at most about 40.")
    order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

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
        return f"{self.document}, {self.locator}, lines {self.line_start}-{self.line_end}"

    @property
    def lines(self) -> str:
        if self.line_start == self.line_end:
            return f"line {self.line_start}"
        return f"lines {self.line_start}-{self.line_end}"


class ReferencedDocumentQuerySet(SlugQuerySet):
    def for_detail(self):
        return self.select_related("source").prefetch_related("citations__document")


class ReferencedDocument(VersionedModel):
    """A document that a source names (a background paper it was excerpted from, a paper it draws
    upon, a compendium a footnote points to) but whose text the knowledge base does not hold.

    It is not a `SourceDocument`: nothing can be cited from it, only what the source says about
    it. So it keeps the title and symbol as printed, the source that names it, and a description
    of what the source says it is, with citations to those words."""

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300, help_text="The title as the source prints it.")
    symbol = models.CharField(max_length=60, blank=True, help_text="Document symbol, if printed.")
    author = models.CharField(
        max_length=200, blank=True, help_text="Who prepared it, as the source says."
    )
    date_text = models.CharField(max_length=60, blank=True, help_text="The date, as printed.")
    source = models.ForeignKey(
        SourceDocument,
        on_delete=models.PROTECT,
        related_name="referenced_documents",
        help_text="The source document that names it.",
    )
    description = models.TextField(help_text="What the source says it is, in your own words.")
    curator_note = models.TextField(blank=True)
    citations = GenericRelation("gfmd.Citation")

    objects = ReferencedDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["source", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.symbol})" if self.symbol else self.title


class CuratedModel(VersionedModel):
    """A record a curator keeps: it carries citations and a note on where the sources disagree."""

    curator_note = models.TextField(
        blank=True,
        help_text="Where the sources disagree or a reading was chosen: what, and why.",
    )
    citations = GenericRelation(Citation)

    class Meta:
        abstract = True


class FixtureLoad(models.Model):
    """The last version of each curated data file loaded, so unchanged files are not reloaded
    over curators' edits."""

    path = models.CharField(max_length=255, unique=True)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)
    records = models.PositiveIntegerField(default=0)
    keys = models.JSONField(
        default=list, help_text="[model label, primary key] of each top-level record of the file."
    )

    def __str__(self) -> str:
        return self.path
