"""Atom feeds of new and changed recommendations (with the recommendation list's filters) and
meetings."""

from django.utils.translation import gettext_lazy as _

from gfmd.lib.feeds import ListFeed, PageFeed
from roundtables.models import Meeting
from roundtables.views import RecommendationListView


class RecommendationFeed(ListFeed):
    list_view_class = RecommendationListView
    page_url_name = "recommendation-list"
    title_text = _("Recommendations")


class MeetingFeed(PageFeed):
    page_url_name = "meeting-list"
    title_text = _("Meetings")

    def records(self):
        return Meeting.objects.all()
