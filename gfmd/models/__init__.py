"""Shared reference data: countries, organisations, source documents and citations.

Source documents, their passages and citations are in `gfmd.models.sources`; everything is
importable from `gfmd.models`."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gfmd.lib.links import key_url
from gfmd.lib.models import VersionedModel, related_model
from gfmd.lib.natural_keys import NaturalKeyQuerySet
from gfmd.lib.review import ReviewedModel, ReviewedQuerySet, published_related
from gfmd.lib.search import SearchableQuerySet, search_field, searchable_manager
from gfmd.models.sources import (
    READER_PAGE_SIZE,
    Citation,
    Passage,
    PassageKind,
    SourceDocument,
    SourceDocumentQuerySet,
    TextFormat,
    citations_prefetch,
)

__all__ = [
    "READER_PAGE_SIZE",
    "Citation",
    "Country",
    "CuratedModel",
    "FixtureLoad",
    "Organisation",
    "Passage",
    "PassageKind",
    "ReferencedDocument",
    "Region",
    "SourceDocument",
    "SourceDocumentQuerySet",
    "TextFormat",
    "citations_prefetch",
]

SlugQuerySet = NaturalKeyQuerySet


def alias_list(text: str) -> list[str]:
    """The names of an `aliases` field (one per line), blank lines left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class Region(models.TextChoices):
    """UN M49 regions."""

    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA = "asia", _("Asia")
    EUROPE = "europe", _("Europe")
    OCEANIA = "oceania", _("Oceania")
    NONE = "none", _("No M49 region")


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
                queryset=practices.objects.published().prefetch_related(
                    published_related(practices, "themes")
                ),
                to_attr="published_practices",
            ),
            published_related(self.model, "rcps"),
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
    UN = "un", _("UN agency or programme")
    IGO = "igo", _("Intergovernmental organisation")
    REGIONAL = "regional", _("Regional body")
    GOVERNMENT = "government", _("Government body")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    PRIVATE = "private", _("Private sector")
    ACADEMIC = "academic", _("Academic or research")
    OTHER = "other", _("Other")


class OrganisationQuerySet(ReviewedQuerySet, SearchableQuerySet, SlugQuerySet):
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
            citations_prefetch(),
            models.Prefetch("practices", queryset=practices.objects.published()),
            published_related(self.model, "rcps"),
            models.Prefetch(
                "participations",
                queryset=participations.objects.published().select_related(
                    "session", "roundtable", "meeting"
                ),
            ),
        )


class Organisation(ReviewedModel, VersionedModel):
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


class ReferencedDocumentQuerySet(SlugQuerySet):
    def for_detail(self):
        return self.select_related("source").prefetch_related(citations_prefetch())


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
