"""Atom feeds of new and changed practices (with the practice list's filters) and themes."""

from gfmd.lib.feeds import ListFeed, PageFeed
from practices.models import Theme
from practices.views import PracticeListView


class PracticeFeed(ListFeed):
    list_view_class = PracticeListView
    page_url_name = "practice-list"
    title_text = "Practices"


class ThemeFeed(PageFeed):
    page_url_name = "theme-list"
    title_text = "Themes"

    def records(self):
        return Theme.objects.all()
