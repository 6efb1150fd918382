"""Atom feeds of new and changed practices (with the practice list's filters) and themes."""

from django.utils.translation import gettext_lazy as _

from gfmd.lib.feeds import ListFeed, PageFeed
from practices.models import Theme
from practices.views import PracticeListView


class PracticeFeed(ListFeed):
    list_view_class = PracticeListView
    page_url_name = "practice-list"
    title_text = _("Practices")


class ThemeFeed(PageFeed):
    page_url_name = "theme-list"
    title_text = _("Themes")

    def records(self):
        return Theme.objects.all()
