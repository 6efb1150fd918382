"""The Atom feed of new and changed practices, with the practice list's filters."""

from django.utils.translation import gettext_lazy as _

from gfmd.lib.feeds import ListFeed
from practices.views import PracticeListView


class PracticeFeed(ListFeed):
    list_view_class = PracticeListView
    page_url_name = "practice-list"
    title_text = _("Practices")
