"""Pages of the RCP directory."""

from django.views.generic import DetailView

from gfmd.citing import CitableMixin
from gfmd.lib.facets import facet_table
from gfmd.lib.feeds import OldFeedAddress
from gfmd.lib.listing import FilteredListView
from gfmd.lib.review import PublishedObjectMixin
from rcps.filters import RCPFilter
from rcps.models import RCP


class RCPListView(FilteredListView):
    template_name = "rcps/rcp_list.html"
    filterset_class = RCPFilter
    feed_url_name = "rcp-feed"
    paginate_by = 50
    facet_table = facet_table(RCPFilter, ("region", "md_engagement", "questionnaire"))
    facets_name = "rcps"

    def base_queryset(self):
        return RCP.objects.published().with_related()


class RCPDetailView(PublishedObjectMixin, OldFeedAddress, CitableMixin, DetailView):
    old_feed_url_name = "rcp-feed"
    template_name = "rcps/rcp_detail.html"

    def get_queryset(self):
        return RCP.objects.for_detail()
