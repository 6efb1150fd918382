from django.contrib import admin

from gfmd.admin import CitationInline, CuratedAdmin, ReviewedAdmin
from roundtables.models import (
    Actor,
    FollowUp,
    HorizontalIssue,
    Meeting,
    Participation,
    Recommendation,
    ReportFinding,
    Roundtable,
    Session,
    Topic,
)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    fields = [
        "order",
        "part",
        "role",
        "name",
        "position",
        "affiliation",
        "country",
        "organisation",
    ]
    autocomplete_fields = ["country", "organisation"]


class FollowUpInline(admin.StackedInline):
    """Dated follow-up entries; their citations are edited on the entry's own page."""

    model = FollowUp
    extra = 0
    fields = [("as_of", "status"), "note", "curator_note"]
    show_change_link = True


class RecommendationInline(admin.StackedInline):
    model = Recommendation
    extra = 0
    fields = [("number", "position", "status"), "title", "slug", "text", "actors", "themes"]
    autocomplete_fields = ["actors", "themes"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(ReviewedAdmin):
    list_display = ["title", "kind", "number", "city", "host_country", "start_date", "end_date"]
    list_filter = ["kind"]
    list_select_related = ["host_country"]
    search_fields = ["title", "city", "summary"]
    autocomplete_fields = ["host_country", "parent"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ParticipationInline, CitationInline]


@admin.register(Topic)
class TopicAdmin(ReviewedAdmin):
    list_display = ["title", "category", "meeting", "order"]
    list_filter = ["category", "meeting"]
    list_select_related = ["meeting"]
    search_fields = ["title", "summary"]
    autocomplete_fields = ["meeting"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Roundtable)
class RoundtableAdmin(ReviewedAdmin):
    list_display = ["number", "title", "meeting"]
    list_filter = ["meeting"]
    list_select_related = ["meeting"]
    search_fields = ["title", "background"]
    autocomplete_fields = ["meeting", "themes"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ParticipationInline, CitationInline]


@admin.register(HorizontalIssue)
class HorizontalIssueAdmin(ReviewedAdmin):
    list_display = ["title", "meeting", "theme", "order"]
    list_select_related = ["meeting", "theme"]
    search_fields = ["title", "summary"]
    autocomplete_fields = ["meeting", "theme"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RecommendationInline, CitationInline]


@admin.register(Session)
class SessionAdmin(ReviewedAdmin):
    list_display = ["code", "title", "label", "roundtable", "meeting"]
    list_filter = ["meeting", "roundtable", "themes"]
    list_select_related = ["roundtable", "meeting"]
    search_fields = ["code", "title", "label", "summary", "findings"]
    autocomplete_fields = ["meeting", "roundtable", "themes"]
    prepopulated_fields = {"slug": ["code"]}
    inlines = [ParticipationInline, RecommendationInline, CitationInline]


@admin.register(Participation)
class ParticipationAdmin(CuratedAdmin):
    list_display = ["name", "role", "session", "roundtable", "meeting", "part", "country"]
    list_filter = ["role", "session__roundtable", "meeting"]
    list_select_related = ["session", "roundtable", "meeting", "country", "organisation"]
    search_fields = ["name", "position", "affiliation", "part"]
    autocomplete_fields = ["session", "roundtable", "meeting", "country", "organisation"]


@admin.register(Actor)
class ActorAdmin(CuratedAdmin):
    list_display = ["name", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["name"]
    autocomplete_fields = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Recommendation)
class RecommendationAdmin(ReviewedAdmin):
    list_display = ["__str__", "session", "horizontal_issue", "number", "status"]
    list_filter = ["status", "session__roundtable", "session", "horizontal_issue", "themes"]
    list_select_related = ["session", "horizontal_issue"]
    search_fields = ["title", "text", "number"]
    autocomplete_fields = ["session", "horizontal_issue", "actors", "themes"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [FollowUpInline, CitationInline]


@admin.register(FollowUp)
class FollowUpAdmin(CuratedAdmin):
    list_display = ["recommendation", "as_of", "status"]
    list_filter = ["status"]
    list_select_related = ["recommendation__session", "recommendation__horizontal_issue"]
    autocomplete_fields = ["recommendation"]


@admin.register(ReportFinding)
class ReportFindingAdmin(CuratedAdmin):
    list_display = ["title", "document", "kind", "number", "order"]
    list_filter = ["document", "kind", "themes"]
    list_select_related = ["document"]
    search_fields = ["title", "summary", "number"]
    autocomplete_fields = ["themes"]
    prepopulated_fields = {"slug": ["title"]}
