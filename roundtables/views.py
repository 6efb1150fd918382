"""Pages of meetings, roundtables, sessions, horizontal issues, topics and recommendations."""

from django.db.models import Count, Prefetch
from django.views.generic import DetailView, ListView

from gfmd.lib.listing import FilteredListView
from roundtables.filters import RecommendationFilter
from roundtables.models import (
    HorizontalIssue,
    Meeting,
    Recommendation,
    Roundtable,
    Session,
    Topic,
)


class MeetingListView(ListView):
    template_name = "roundtables/meeting_list.html"

    def get_queryset(self):
        # Meta.ordering is not applied by Django to a query with GROUP BY: given again.
        return (
            Meeting.objects.with_related()
            .annotate(session_count=Count("sessions"))
            .order_by(*Meeting._meta.ordering)
        )


class MeetingDetailView(DetailView):
    template_name = "roundtables/meeting_detail.html"

    def get_queryset(self):
        return Meeting.objects.with_related().prefetch_related(
            "citations__document",
            "parts",
            "topics",
            "horizontal_issues",
            Prefetch(
                "roundtables",
                queryset=Roundtable.objects.prefetch_related(
                    Prefetch("sessions", queryset=Session.objects.order_by("order"))
                ),
            ),
        )


class RoundtableDetailView(DetailView):
    template_name = "roundtables/roundtable_detail.html"

    def get_queryset(self):
        return Roundtable.objects.for_detail()


class SessionDetailView(DetailView):
    template_name = "roundtables/session_detail.html"

    def get_queryset(self):
        return Session.objects.for_detail()


class HorizontalIssueDetailView(DetailView):
    template_name = "roundtables/horizontalissue_detail.html"

    def get_queryset(self):
        return HorizontalIssue.objects.select_related("meeting", "theme").prefetch_related(
            "citations__document",
            Prefetch(
                "recommendations",
                queryset=Recommendation.objects.published().prefetch_related("actors", "themes"),
            ),
        )


class TopicDetailView(DetailView):
    template_name = "roundtables/topic_detail.html"

    def get_queryset(self):
        return Topic.objects.select_related("meeting").prefetch_related("citations__document")


class RecommendationListView(FilteredListView):
    template_name = "roundtables/recommendation_list.html"
    filterset_class = RecommendationFilter

    def base_queryset(self):
        return Recommendation.objects.published().with_related()


class RecommendationDetailView(DetailView):
    template_name = "roundtables/recommendation_detail.html"

    def get_queryset(self):
        return (
            Recommendation.objects.published()
            .with_related()
            .prefetch_related("citations__document")
        )
