"""Themes and the good practices the documents present as examples."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gfmd.lib.facets import DistinctCount
from gfmd.lib.filters import related_to_any
from gfmd.lib.links import key_url
from gfmd.lib.models import related_model
from gfmd.lib.natural_keys import NaturalKeyQuerySet
from gfmd.lib.review import ReviewedModel, ReviewedQuerySet, Status, published_related
from gfmd.lib.search import SearchableQuerySet, search_field, searchable_manager
from gfmd.models import CuratedModel, citations_prefetch


class ThemeKind(models.TextChoices):
    ROUNDTABLE = "roundtable", _("Roundtable topic")
    HORIZONTAL = "horizontal", _("Horizontal issue")
    TOPIC = "topic", _("Session topic")


class ThemeQuerySet(ReviewedQuerySet, NaturalKeyQuerySet):
    def top_level(self):
        return self.filter(parent__isnull=True)

    def for_detail(self):
        return self.select_related("parent").prefetch_related(
            published_related(Theme, "children"),
            citations_prefetch(),
            models.Prefetch(
                "practices", queryset=Practice.objects.published(), to_attr="published_practices"
            ),
            models.Prefetch(
                "sessions",
                queryset=related_model(Theme, "sessions").objects.published().order_by("order"),
            ),
            models.Prefetch(
                "recommendations",
                queryset=related_model(Theme, "recommendations")
                .objects.published()
                .select_related("session", "horizontal_issue"),
            ),
            models.Prefetch(
                "report_findings",
                queryset=related_model(Theme, "report_findings").objects.select_related("document"),
            ),
        )

    def for_page(self):
        """A theme for its page, whose lists (`records_below`) include the sub-themes'."""
        return self.select_related("parent").prefetch_related(
            published_related(Theme, "children"), "citations__document"
        )

    def records_below(self, theme) -> dict[str, list]:
        """The published practices, the sessions and the published recommendations of a theme
        and of every theme below it, as its filter selects them: one query each."""
        themes = Theme.objects.with_descendants([theme])
        sessions = related_model(Theme, "sessions").objects
        recommendations = related_model(Theme, "recommendations").objects
        return {
            "practices": list(
                related_to_any(Practice.objects.published(), "themes", themes)
                .only("slug", "title")
                .order_by("title")
            ),
            "sessions": list(related_to_any(sessions.published(), "themes", themes)),
            "recommendations": list(
                related_to_any(recommendations.published(), "themes", themes).select_related(
                    "session", "horizontal_issue"
                )
            ),
        }

    def usage_counts(self) -> dict[str, dict[int, int]]:
        """How many published practices and recommendations each theme has, its sub-themes'
        included (as the theme filter selects them), each relation counted in one query."""

        def per_theme(relation: str, record: str) -> dict[int, int]:
            rel = Theme._meta.get_field(relation)  # the reverse side of a many-to-many
            published = rel.related_model.objects.published()
            below = (
                Q(theme=OuterRef("pk"))
                | Q(theme__parent=OuterRef("pk"))
                | Q(theme__parent__parent=OuterRef("pk"))
            )
            links = rel.through.objects.filter(below, **{f"{record}__in": published})
            rows = Theme.objects.annotate(n=DistinctCount(links.values(f"{record}_id")))
            return {pk: n for pk, n in rows.values_list("pk", "n") if n}

        return {
            "practices": per_theme("practices", "practice"),
            "recommendations": per_theme("recommendations", "recommendation"),
        }

    def with_descendants(self, themes):
        """These themes and every theme below them (the hierarchy is at most three deep)."""
        ids = [theme.pk for theme in themes]
        return self.filter(Q(pk__in=ids) | Q(parent__in=ids) | Q(parent__parent__in=ids))


class Theme(ReviewedModel, CuratedModel):
    """A node of the small theme hierarchy: the three roundtable topics and three horizontal
    issues at the top, session topics below them."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=ThemeKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True, help_text="One or two sentences, your own words.")
    order = models.PositiveSmallIntegerField(default=0)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ThemeKind.values), name="theme_kind_valid"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="theme_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return key_url("theme-detail", self.slug)


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    BILATERAL = "bilateral", _("Bilateral")
    REGIONAL = "regional", _("Regional")
    INTERREGIONAL = "interregional", _("Interregional")
    MULTILATERAL = "multilateral", _("Multilateral")
    PUBLIC_PRIVATE = "public_private", _("Public-private")
    LOCAL = "local", _("Local")


class PracticeType(models.TextChoices):
    POLICY = "policy", _("Policy or strategy")
    PROGRAMME = "programme", _("Programme or project")
    AGREEMENT = "agreement", _("Agreement")
    CODE = "code", _("Code of practice or declaration")
    INSTITUTION = "institution", _("Institution or body")
    FUND = "fund", _("Fund or financial instrument")
    TOOL = "tool", _("Tool, database or method")
    NETWORK = "network", _("Network, partnership or dialogue")
    LAW = "law", _("Law or regulation")


__all__ = ["Status"]  # re-exported from gfmd.lib.review


class PracticeQuerySet(ReviewedQuerySet, SearchableQuerySet, NaturalKeyQuerySet):
    def with_related(self):
        """What list pages and API lists show for each practice."""
        return self.prefetch_related(published_related(Practice, "themes"), "countries")

    def for_export(self):
        """What a CSV row of a practice shows: the list's relations, its organisations and how
        many citations it has."""
        return (
            self.with_related()
            .prefetch_related(published_related(Practice, "organisations"))
            .annotate(citation_count=models.Count("citations", distinct=True))
        )

    def related_ids(self, practice, limit: int = 6) -> list[int]:
        """The ids of the practices sharing most themes with `practice` (then by title)."""
        theme_ids = [theme.pk for theme in practice.themes.all()]
        through = Practice.themes.through.objects.filter(theme__in=theme_ids)
        return list(
            self.filter(pk__in=through.values("practice_id"))
            .exclude(pk=practice.pk)
            .annotate(shared=models.Count("themes", filter=Q(themes__in=theme_ids)))
            .order_by("-shared", "title")
            .values_list("pk", flat=True)[:limit]
        )

    def for_detail(self):
        return self.prefetch_related(
            published_related(Practice, "themes"),
            "countries",
            "partner_countries",
            published_related(Practice, "organisations"),
            published_related(Practice, "rcps"),
            citations_prefetch(),
            published_related(
                Practice,
                "sessions",
                related_model(Practice, "sessions").objects.select_related("roundtable", "meeting"),
            ),
        )


class Practice(ReviewedModel, CuratedModel):
    """A concrete policy, programme, agreement, code, institution or tool that a document presents
    as a good, innovative or promising example."""

    search_weights = {"title": "A", "summary": "B", "description": "C", "results": "C"}
    search = search_field(search_weights)

    slug = models.SlugField(max_length=150, unique=True)
    title = models.CharField(max_length=255)
    summary = models.TextField(help_text="What it is, in plain words: one to three sentences.")
    description = models.TextField(blank=True, help_text="What was done.")
    results = models.TextField(
        blank=True, help_text="What it achieved, with the figures the text gives."
    )
    scope = models.CharField(max_length=20, choices=Scope.choices)
    type = models.CharField(max_length=20, choices=PracticeType.choices)
    start_year = models.PositiveSmallIntegerField(null=True, blank=True)
    countries = models.ManyToManyField(
        "gfmd.Country", blank=True, related_name="practices", help_text="Implementing countries."
    )
    partner_countries = models.ManyToManyField(
        "gfmd.Country", blank=True, related_name="partner_practices"
    )
    organisations = models.ManyToManyField(
        "gfmd.Organisation",
        blank=True,
        related_name="practices",
        help_text="Organisations that run, fund or support it.",
    )
    themes = models.ManyToManyField(Theme, related_name="practices")
    sessions = models.ManyToManyField("roundtables.Session", blank=True, related_name="practices")
    rcps = models.ManyToManyField("rcps.RCP", blank=True, related_name="practices")
    synthetic = models.BooleanField(
        default=False, editable=False, help_text="Generated test data, never real."
    )

    objects = searchable_manager(PracticeQuerySet)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=Scope.values), name="practice_scope_valid"
            ),
            models.CheckConstraint(
                condition=Q(type__in=PracticeType.values), name="practice_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="practice_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(start_year__gte=1900, start_year__lte=2100),
                name="practice_start_year_range",
            ),
        ]
        indexes = [
            # full-text search: Practice.objects.search()
            GinIndex(fields=["search"], name="practice_search_idx"),
            # list pages filter published records by scope and type
            models.Index(fields=["status", "scope"], name="practice_scope_idx"),
            models.Index(fields=["status", "type"], name="practice_type_idx"),
            # the list's default order: a page of a long list reads the index, not the table
            models.Index(fields=["title", "id"], name="practice_title_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return key_url("practice-detail", self.slug)

    @property
    def published(self) -> bool:
        return self.status == Status.PUBLISHED

    def clean(self):
        super().clean()
        if self.start_year is not None and self.start_year > timezone.now().year:
            raise ValidationError(
                {"start_year": f"A start year cannot be after this year ({timezone.now().year})."}
            )
