"""Profiles of the Regional Consultative Processes on migration."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gfmd.lib.links import key_url
from gfmd.lib.models import related_model
from gfmd.lib.natural_keys import NaturalKeyQuerySet
from gfmd.lib.review import ReviewedModel, ReviewedQuerySet, published_related
from gfmd.lib.search import SearchableQuerySet, search_field, searchable_manager
from gfmd.models import CuratedModel, alias_list, citations_prefetch


class RCPRegion(models.TextChoices):
    AFRICA = "africa", _("Africa")
    AMERICAS = "americas", _("Americas")
    ASIA_PACIFIC = "asia_pacific", _("Asia and the Pacific")
    EUROPE = "europe", _("Europe")
    MEDITERRANEAN = "mediterranean", _("Mediterranean and Middle East")
    INTERREGIONAL = "interregional", _("Interregional")


class Engagement(models.TextChoices):
    """How an RCP treats migration and development (A/63/269, section V.B)."""

    PRIORITY = "priority", _("Thematic priority")
    AD_HOC = "ad_hoc", _("Addressed ad hoc")
    NOT_CONCERNED = "not_concerned", _("Not concerned")
    NOT_CLASSIFIED = "not_classified", _("Not classified")


class QuestionnaireResponse(models.TextChoices):
    """Whether the RCP answered IOM's 2007 questionnaire."""

    RETURNED = "returned", _("Questionnaire returned")
    MATERIALS = "materials", _("Materials only")
    NONE = "none", _("No response")
    UNKNOWN = "unknown", _("Not stated")


class RCPQuerySet(ReviewedQuerySet, SearchableQuerySet, NaturalKeyQuerySet):
    def with_related(self):
        return self.prefetch_related(published_related(RCP, "supporting_organisations"))

    def for_detail(self):
        return self.prefetch_related(
            published_related(RCP, "supporting_organisations"),
            "members",
            citations_prefetch(),
            models.Prefetch(
                "practices", queryset=related_model(RCP, "practices").objects.published()
            ),
        )


class RCP(ReviewedModel, CuratedModel):
    search_weights = {
        "name": "A",
        "short_name": "A",
        "acronym": "A",
        "aliases": "A",
        "narrative": "B",
        "focus_areas": "C",
    }
    search = search_field(search_weights)

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=255, help_text="Full name.")
    short_name = models.CharField(
        max_length=100, blank=True, help_text="Short name or nickname ('Puebla Process')."
    )
    acronym = models.CharField(max_length=30, blank=True)
    aliases = models.TextField(
        blank=True,
        help_text="Other names the documents use, one per line ('Cross-Border Cooperation "
        "Process'). The name, short name and acronym need not be repeated.",
    )
    region = models.CharField(
        max_length=20,
        choices=RCPRegion.choices,
        blank=True,
        help_text="Left empty where the documents give no region (the page says so).",
    )
    region_detail = models.CharField(
        max_length=200, blank=True, help_text="The region as the documents describe it."
    )
    established_year = models.PositiveSmallIntegerField(null=True, blank=True)
    established_occasion = models.CharField(max_length=300, blank=True)
    members = models.ManyToManyField("gfmd.Country", blank=True, related_name="rcps")
    members_text = models.TextField(
        blank=True, help_text="Membership as the documents state it, where not a list of states."
    )
    observers = models.TextField(blank=True)
    secretariat = models.CharField(
        max_length=255, blank=True, help_text="Secretariat or supporting organisation, as written."
    )
    supporting_organisations = models.ManyToManyField(
        "gfmd.Organisation", blank=True, related_name="rcps"
    )
    md_engagement = models.CharField(
        "migration and development",
        max_length=20,
        choices=Engagement.choices,
        default=Engagement.NOT_CLASSIFIED,
    )
    md_engagement_source = models.CharField(
        max_length=255, blank=True, help_text="Where that classification comes from."
    )
    focus_areas = models.TextField(blank=True, help_text="One per line.")
    questionnaire = models.CharField(
        "2007 IOM questionnaire",
        max_length=12,
        choices=QuestionnaireResponse.choices,
        default=QuestionnaireResponse.UNKNOWN,
    )
    website = models.URLField(blank=True)
    narrative = models.TextField(help_text="The process in your own words.")

    objects = searchable_manager(RCPQuerySet)

    class Meta:
        ordering = ["name"]
        verbose_name = "RCP profile"
        constraints = [
            models.CheckConstraint(
                condition=Q(region__in=RCPRegion.values) | Q(region=""),
                name="rcp_region_valid",
            ),
            models.CheckConstraint(
                condition=Q(md_engagement__in=Engagement.values), name="rcp_engagement_valid"
            ),
            models.CheckConstraint(
                condition=Q(questionnaire__in=QuestionnaireResponse.values),
                name="rcp_questionnaire_valid",
            ),
        ]
        indexes = [
            # full-text search: RCP.objects.search()
            GinIndex(fields=["search"], name="rcp_search_idx"),
            # the directory filters by region and engagement
            models.Index(fields=["region", "md_engagement"], name="rcp_region_engagement_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def alias_list(self) -> list[str]:
        return alias_list(self.aliases)

    @property
    def focus_area_list(self) -> list[str]:
        return [line.strip() for line in self.focus_areas.splitlines() if line.strip()]

    def get_absolute_url(self) -> str:
        return key_url("rcp-detail", self.slug)
