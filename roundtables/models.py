"""The Forum's meetings, roundtables, sessions, the people who spoke, and what they recommended."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from gfmd.lib.links import key_url
from gfmd.lib.models import related_model
from gfmd.lib.natural_keys import NaturalKeyQuerySet
from gfmd.lib.review import (
    ReviewedModel,
    ReviewedQuerySet,
    published_related,
    review_status_field,
)
from gfmd.lib.search import SearchableQuerySet, search_field, searchable_manager
from gfmd.models import CuratedModel, citations_prefetch
from roundtables.findings import FindingKind, FollowUp, FollowUpStatus, ReportFinding

__all__ = ["FindingKind", "FollowUp", "FollowUpStatus", "ReportFinding"]  # re-exported


class MeetingKind(models.TextChoices):
    GFMD = "gfmd", _("GFMD meeting")
    CIVIL_SOCIETY_DAY = "civil_society_day", _("Civil Society Day")
    HIGH_LEVEL_DIALOGUE = "high_level_dialogue", _("UN High-level Dialogue")
    FRIENDS_OF_THE_FORUM = "friends_of_the_forum", _("Friends of the Forum meeting")
    PREPARATORY = "preparatory", _("Preparatory or steering meeting")
    OTHER = "other", _("Other gathering")


class MeetingQuerySet(ReviewedQuerySet, NaturalKeyQuerySet):
    def with_related(self):
        return self.select_related("host_country", "parent")

    def with_session_count(self):
        # Meta.ordering is not applied by Django to a query with GROUP BY: given again.
        return (
            self.with_related()
            .annotate(
                session_count=models.Count(
                    "sessions", filter=Session.objects.published_condition("sessions__")
                )
            )
            .order_by(*self.model._meta.ordering)
        )

    def for_detail(self):
        """A meeting with its parts, topics, horizontal issues, and roundtables with their
        sessions in order."""
        return self.with_related().prefetch_related(
            citations_prefetch(),
            *(
                published_related(Meeting, name)
                for name in ("parts", "topics", "horizontal_issues")
            ),
            models.Prefetch(
                "participations",
                queryset=Participation.objects.published()
                .select_related("country", "organisation")
                .prefetch_related(citations_prefetch()),
            ),
            models.Prefetch(
                "roundtables",
                queryset=Roundtable.objects.published().prefetch_related(
                    models.Prefetch(
                        "sessions", queryset=Session.objects.published().order_by("order")
                    )
                ),
            ),
        )


class Meeting(ReviewedModel, CuratedModel):
    """A GFMD meeting, or another gathering the documents describe (the 2006 High-level Dialogue,
    a Friends of the Forum meeting, the Civil Society Day held alongside the Brussels meeting)."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    number = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Ordinal of a GFMD meeting (1 for Brussels 2007)."
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        help_text="The meeting this one was part of (the Civil Society Day of the first GFMD).",
    )
    city = models.CharField(max_length=100, blank=True)
    host_country = models.ForeignKey(
        "gfmd.Country", null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    date_text = models.CharField(
        max_length=100, blank=True, help_text="The date as the documents give it, when not exact."
    )
    chair = models.CharField(max_length=255, blank=True, help_text="Who chaired it, as printed.")
    summary = models.TextField(help_text="What the gathering was and did, in your own words.")
    attendance = models.TextField(blank=True, help_text="Who and how many attended, with figures.")
    outcomes = models.TextField(blank=True, help_text="What came out of it.")

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="meeting_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return key_url("meeting-detail", self.slug)


class TopicQuerySet(ReviewedQuerySet, NaturalKeyQuerySet):
    def for_detail(self):
        return self.select_related("meeting").prefetch_related(citations_prefetch())


class Topic(ReviewedModel, CuratedModel):
    """A titled part of a meeting's report that is not a session: the Forum's operating
    modalities, the Marketplace, the conclusions. Kept so a reader can find them."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=255)
    category = models.CharField(
        max_length=60, blank=True, help_text="E.g. 'Operating modalities', 'Preparatory process'."
    )
    summary = models.TextField(help_text="In your own words.")
    order = models.PositiveSmallIntegerField(default=0)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return key_url("topic-detail", self.slug)


class RoundtableQuerySet(ReviewedQuerySet, NaturalKeyQuerySet):
    def with_related(self):
        return self.select_related("meeting")

    def for_detail(self):
        return self.with_related().prefetch_related(
            published_related(Roundtable, "themes"),
            citations_prefetch(),
            models.Prefetch("sessions", queryset=Session.objects.published().order_by("order")),
            models.Prefetch(
                "participations",
                queryset=Participation.objects.published().select_related(
                    "country", "organisation"
                ),
            ),
        )


class Roundtable(ReviewedModel, CuratedModel):
    natural_key_fields = ("meeting", "number")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="roundtables")
    number = models.PositiveSmallIntegerField()
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=255, help_text="Full title, as printed.")
    background = models.TextField(
        blank=True, help_text="The roundtable's framing, in your own words."
    )
    themes = models.ManyToManyField("practices.Theme", blank=True, related_name="roundtables")

    objects = RoundtableQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="roundtable_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Roundtable {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return key_url("roundtable-detail", self.slug)


class HorizontalIssueQuerySet(ReviewedQuerySet, NaturalKeyQuerySet):
    def for_detail(self):
        return self.select_related("meeting", "theme").prefetch_related(
            citations_prefetch(),
            models.Prefetch(
                "recommendations",
                queryset=Recommendation.objects.published().prefetch_related(
                    "actors", published_related(Recommendation, "themes")
                ),
            ),
        )


class HorizontalIssue(ReviewedModel, CuratedModel):
    """A cross-cutting issue of a meeting (root causes of migration, human rights, gender), with
    its own numbered policy directions."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="horizontal_issues")
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=255)
    summary = models.TextField(help_text="In your own words.")
    theme = models.ForeignKey(
        "practices.Theme", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)

    objects = HorizontalIssueQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return key_url("horizontal-issue-detail", self.slug)


class SessionQuerySet(ReviewedQuerySet, SearchableQuerySet, NaturalKeyQuerySet):
    def with_related(self):
        return self.select_related("roundtable", "meeting").prefetch_related(
            published_related(Session, "themes")
        )

    def for_detail(self):
        return self.with_related().prefetch_related(
            citations_prefetch(),
            models.Prefetch(
                "participations",
                queryset=Participation.objects.published().select_related(
                    "country", "organisation"
                ),
            ),
            models.Prefetch(
                "recommendations",
                queryset=Recommendation.objects.published().prefetch_related(
                    published_related(Recommendation, "themes"), "actors"
                ),
            ),
            models.Prefetch(
                "practices",
                queryset=(practices := related_model(Session, "practices"))
                .objects.published()
                .prefetch_related(published_related(practices, "themes"), "countries"),
                to_attr="published_practices",
            ),
        )


class Session(ReviewedModel, CuratedModel):
    """A session of a roundtable. Roundtable 2 printed its sessions as 'Theme 1' to 'Theme 4';
    they are sessions 2.1-2.4 here, and `label` keeps the printed name findable."""

    natural_key_fields = ("meeting", "code")
    search_weights = {
        "title": "A",
        "label": "A",
        "summary": "B",
        "findings": "C",
        "background": "D",
        "panel_discussion": "D",
        "general_discussion": "D",
    }
    search = search_field(search_weights)

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="sessions")
    roundtable = models.ForeignKey(Roundtable, on_delete=models.PROTECT, related_name="sessions")
    code = models.CharField(max_length=10, help_text="'1.1' ... '3.4'.")
    slug = models.SlugField(max_length=100, unique=True)
    label = models.CharField(
        max_length=60, blank=True, help_text="The printed name when it differs ('Theme 1')."
    )
    title = models.CharField(max_length=300, help_text="Exact title, as printed.")
    summary = models.TextField(
        blank=True, help_text="The session in two or three sentences, your own words."
    )
    background = models.TextField(blank=True, help_text="The background paper's argument.")
    panel_discussion = models.TextField(blank=True)
    general_discussion = models.TextField(blank=True)
    findings = models.TextField(blank=True, help_text="Main observations and findings.")
    themes = models.ManyToManyField("practices.Theme", blank=True, related_name="sessions")
    order = models.PositiveSmallIntegerField(default=0)

    objects = searchable_manager(SessionQuerySet)

    class Meta:
        ordering = ["meeting", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "code"], name="session_unique_code"),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]+\.[0-9]+$"), name="session_code_format"
            ),
        ]
        indexes = [
            # full-text search: Session.objects.search()
            GinIndex(fields=["search"], name="session_search_idx"),
            models.Index(fields=["roundtable", "order"], name="session_roundtable_idx"),
        ]

    def __str__(self) -> str:
        return f"Session {self.code}: {self.title}"

    def clean(self) -> None:
        if self.roundtable_id and self.meeting_id and self.roundtable.meeting_id != self.meeting_id:
            raise ValidationError({"roundtable": "The roundtable belongs to another meeting."})
        if (
            self.roundtable_id
            and self.code
            and not self.code.startswith(f"{self.roundtable.number}.")
        ):
            raise ValidationError(
                {
                    "code": f"A session of roundtable {self.roundtable.number} has a code "
                    f"starting '{self.roundtable.number}.'."
                }
            )

    def get_absolute_url(self) -> str:
        return key_url("session-detail", self.slug)


class Role(models.TextChoices):
    CHAIR = "chair", _("Chair")
    CO_CHAIR = "co_chair", _("Co-chair")
    MODERATOR = "moderator", _("Moderator")
    SPEAKER = "speaker", _("Speaker")
    DISCUSSANT = "discussant", _("Discussant")
    RAPPORTEUR = "rapporteur", _("Rapporteur")
    GENERAL_RAPPORTEUR = "general_rapporteur", _("General rapporteur")
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", _("Member")


ROLE_ORDER = {role: index for index, role in enumerate(Role.values)}


def participation_key(parent_slug: str, part: str, role: str, name: str) -> str:
    """`<parent slug>/<role>/<name slug>`, or `<meeting slug>/<part slug>/<role>/<name slug>`
    for a role in a part of a meeting (the key of `Participation`)."""
    parent = f"{parent_slug}/{slugify(part)}" if part else parent_slug
    return f"{parent}/{role}/{slugify(name)}"


class ParticipationQuerySet(NaturalKeyQuerySet):
    def published(self):
        """Never generated test data, unless the server serves it (GFMD_SERVE_SYNTHETIC)."""
        return self if settings.GFMD_SERVE_SYNTHETIC else self.filter(synthetic=False)

    def with_related(self):
        return self.select_related("session", "roundtable", "meeting", "country", "organisation")


class Participation(CuratedModel):
    """A person in a role at a session, at a roundtable as a whole (coordinator, general
    rapporteur), or at a meeting outside its sessions: the opening and closing plenaries, the
    general debate, the horizontal issues, a drafting committee. For the last, `part` names the
    part of the meeting as the report does, so one person may chair two parts. Name, position
    and affiliation are kept as printed (OCR slips mended)."""

    natural_key_fields = ("session", "roundtable", "meeting", "part", "role", "name")

    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="participations"
    )
    roundtable = models.ForeignKey(
        Roundtable, null=True, blank=True, on_delete=models.CASCADE, related_name="participations"
    )
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="participations",
        help_text="For a role at the meeting outside its sessions and roundtables.",
    )
    part = models.CharField(
        max_length=120,
        blank=True,
        help_text="The part of the meeting, as the report names it ('Opening plenary session').",
    )
    name = models.CharField(max_length=200, help_text="As the person spells it, with accents.")
    role = models.CharField(max_length=20, choices=Role.choices)
    position = models.CharField(max_length=300, blank=True, help_text="As printed.")
    affiliation = models.CharField(max_length=300, blank=True, help_text="As printed.")
    country = models.ForeignKey(
        "gfmd.Country",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participations",
    )
    organisation = models.ForeignKey(
        "gfmd.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participations",
    )
    order = models.PositiveSmallIntegerField(default=0)
    synthetic = models.BooleanField(
        default=False, editable=False, help_text="Generated test data, never real."
    )

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["session", "roundtable", "meeting", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(session__isnull=False, roundtable__isnull=True, meeting__isnull=True)
                | Q(session__isnull=True, roundtable__isnull=False, meeting__isnull=True)
                | Q(session__isnull=True, roundtable__isnull=True, meeting__isnull=False),
                name="participation_one_parent",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="participation_role_valid"
            ),
            models.UniqueConstraint(
                fields=["session", "role", "name"],
                condition=Q(session__isnull=False),
                name="participation_unique_in_session",
            ),
            models.UniqueConstraint(
                fields=["roundtable", "role", "name"],
                condition=Q(roundtable__isnull=False),
                name="participation_unique_in_roundtable",
            ),
            models.UniqueConstraint(
                fields=["meeting", "part", "role", "name"],
                condition=Q(meeting__isnull=False),
                name="participation_unique_in_meeting",
            ),
        ]
        indexes = [
            # country pages list the people who spoke for the country
            models.Index(fields=["country"], name="participation_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    def get_absolute_url(self) -> str:
        parent = self.session or self.roundtable or self.meeting
        return parent.get_absolute_url() if parent else ""

    @property
    def key(self) -> str:
        """The participation's stable key, `<session, roundtable or meeting slug>/<role>/<name
        slug>`, with the slug of the part after a meeting's slug when the role is in a part of
        the meeting (`gfmd-2007/opening-plenary-session/chair/<name slug>`): made of its natural
        key, so it survives a backup and restore (which renumber the ids)."""
        parent = self.session or self.roundtable or self.meeting
        part = self.part if self.meeting_id else ""
        return participation_key(parent.slug if parent else "", part, self.role, self.name)


class Actor(CuratedModel):
    """Who a recommendation asks to act: a group ('governments', 'countries of origin') or a
    named body ('GHWA', 'WHO'), linked to its organisation where there is one."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "gfmd.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="actors"
    )

    objects = NaturalKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RecommendationQuerySet(ReviewedQuerySet, SearchableQuerySet, NaturalKeyQuerySet):
    def with_related(self):
        return self.select_related(
            "session", "session__roundtable", "horizontal_issue"
        ).prefetch_related(published_related(Recommendation, "themes"), "actors")

    def for_detail(self):
        return self.with_related().prefetch_related(
            citations_prefetch(),
            models.Prefetch(
                "follow_ups", queryset=FollowUp.objects.prefetch_related(citations_prefetch())
            ),
        )


class Recommendation(ReviewedModel, CuratedModel):
    """A numbered recommendation or proposed action of a session, or a numbered policy direction
    of a horizontal issue, numbered as printed."""

    natural_key_fields = ("session", "horizontal_issue", "number")
    search_weights = {"title": "A", "text": "B"}
    search = search_field(search_weights)

    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="recommendations"
    )
    horizontal_issue = models.ForeignKey(
        HorizontalIssue,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="recommendations",
    )
    number = models.CharField(max_length=10, help_text="As printed: '1', '2'...")
    position = models.PositiveSmallIntegerField(
        default=0, help_text="Order within its session or issue (numbering can restart)."
    )
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=255, help_text="A short title in plain words.")
    text = models.TextField(help_text="The recommendation as printed, sub-actions included.")
    actors = models.ManyToManyField(Actor, blank=True, related_name="recommendations")
    themes = models.ManyToManyField("practices.Theme", blank=True, related_name="recommendations")
    status = models.CharField(
        max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.PROPOSED
    )
    status_note = models.TextField(blank=True, help_text="Follow-up toward the next meeting.")
    # `status` is the follow-up; where the recommendation stands in review is this field
    review_status = review_status_field()
    review_field = "review_status"
    synthetic = models.BooleanField(
        default=False, editable=False, help_text="Generated test data, never real."
    )

    objects = searchable_manager(RecommendationQuerySet)

    class Meta:
        ordering = ["session", "horizontal_issue", "position", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(session__isnull=False, horizontal_issue__isnull=True)
                | Q(session__isnull=True, horizontal_issue__isnull=False),
                name="recommendation_one_parent",
            ),
            models.UniqueConstraint(
                fields=["session", "number"],
                condition=Q(session__isnull=False),
                name="recommendation_unique_number",
            ),
            models.UniqueConstraint(
                fields=["horizontal_issue", "number"],
                condition=Q(horizontal_issue__isnull=False),
                name="recommendation_unique_number_in_issue",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values), name="recommendation_status_valid"
            ),
        ]
        indexes = [
            # full-text search: Recommendation.objects.search()
            GinIndex(fields=["search"], name="recommendation_search_idx"),
            # the recommendation list filters by follow-up status
            models.Index(fields=["status"], name="recommendation_status_idx"),
        ]

    def __str__(self) -> str:
        parent = self.session.code if self.session_id else self.horizontal_issue
        return f"{parent} – {self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        return key_url("recommendation-detail", self.slug)
