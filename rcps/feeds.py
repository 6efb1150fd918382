"""The Atom feed of new and changed RCP profiles, with the RCP list's filters."""

from django.utils.translation import gettext_lazy as _

from gfmd.lib.feeds import ListFeed
from rcps.views import RCPListView


class RCPFeed(ListFeed):
    list_view_class = RCPListView
    page_url_name = "rcp-list"
    title_text = _("Regional consultative processes")
