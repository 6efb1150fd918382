"""Pages of meetings, roundtables, sessions, horizontal issues, topics and recommendations."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from gfmd.citing import CitableMixin
from gfmd.lib.facets import facet_table
from gfmd.lib.feeds import FeedLinkMixin, OldFeedAddress
from gfmd.lib.listing import FilteredListView
from gfmd.lib.review import PublishedObjectMixin
from roundtables.filters import RecommendationFilter
from roundtables.models import HorizontalIssue, Meeting, Recommendation, Roundtable, Session, Topic


class MeetingListView(FeedLinkMixin, ListView):
    feed_url_name = "meeting-feed"
    query_parameters = ()
    template_name = "roundtables/meeting_list.html"

    def get_queryset(self):
        return Meeting.objects.published().with_session_count()


class MeetingDetailView(PublishedObjectMixin, CitableMixin, DetailView):
    template_name = "roundtables/meeting_detail.html"

    def get_queryset(self):
        return Meeting.objects.for_detail()


class RoundtableDetailView(PublishedObjectMixin, CitableMixin, DetailView):
    template_name = "roundtables/roundtable_detail.html"

    def get_queryset(self):
        return Roundtable.objects.for_detail()


class SessionDetailView(PublishedObjectMixin, CitableMixin, DetailView):
    template_name = "roundtables/session_detail.html"

    def get_queryset(self):
        return Session.objects.for_detail()


class HorizontalIssueDetailView(PublishedObjectMixin, DetailView):
    query_parameters = ()
    template_name = "roundtables/horizontalissue_detail.html"

    def get_queryset(self):
        return HorizontalIssue.objects.for_detail()


class TopicDetailView(PublishedObjectMixin, DetailView):
    query_parameters = ()
    template_name = "roundtables/topic_detail.html"

    def get_queryset(self):
        return Topic.objects.for_detail()


def session_label(name: str, key: str, label: str) -> str:
    """A session is shown with its code: '1.2 Ethical recruitment …'."""
    return f"{key} {label}" if name == "session" else label


class RecommendationListView(FilteredListView):
    template_name = "roundtables/recommendation_list.html"
    filterset_class = RecommendationFilter
    feed_url_name = "recommendation-feed"
    facet_table = facet_table(
        RecommendationFilter,
        ("theme", "status", "actor", "horizontal_issue", "session"),
        distinct=("session",),
    )
    facets_name = "recommendations"
    facet_label_format = session_label
    sort_choices = (
        ("session", _("Session, first to last")),
        ("-session", _("Session, last to first")),
        ("status", _("Follow-up status")),
    )

    def base_queryset(self):
        return Recommendation.objects.published().with_related()


class RecommendationDetailView(PublishedObjectMixin, OldFeedAddress, CitableMixin, DetailView):
    old_feed_url_name = "recommendation-feed"
    template_name = "roundtables/recommendation_detail.html"

    def get_queryset(self):
        return Recommendation.objects.for_detail()
