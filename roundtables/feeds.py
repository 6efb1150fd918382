"""The Atom feed of new and changed recommendations, with the recommendation list's filters."""

from django.utils.translation import gettext_lazy as _

from gfmd.lib.feeds import ListFeed
from roundtables.views import RecommendationListView


class RecommendationFeed(ListFeed):
    list_view_class = RecommendationListView
    page_url_name = "recommendation-list"
    title_text = _("Recommendations")
