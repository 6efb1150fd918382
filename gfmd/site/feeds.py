"""Atom feeds of the pages that combine the apps: a search (the best hits of each kind, with
their dates from the edit history, for a reader to follow a query) and the lists of countries,
organisations and source documents."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from gfmd.lib.feeds import PageFeed, RecordFeed, history_dates
from gfmd.lib.filters import error_message
from gfmd.models import Country, Organisation, SourceDocument
from gfmd.site.search import SearchForm, search_all
from gfmd.site.views import listed_countries, lists_every_state


class SearchFeed(RecordFeed):
    def check(self, request):
        form = SearchForm(request.GET)
        if not form.is_valid():
            raise ValueError(error_message(form.errors))
        self.search = form.search()

    def page_url(self) -> str:
        return f"{reverse('search')}?{self.request.GET.urlencode()}"

    def title(self):
        return gettext("GFMD Practices: search for “%(query)s”") % {"query": self.search[0]}

    def subtitle(self):
        return gettext("The best matches of each kind of record, with when each last changed.")

    def items(self):
        text, kinds, per_kind = self.search
        hits = []
        for group in search_all(text, kinds=kinds, per_kind=per_kind).groups:
            if not group.hits:
                continue
            dates = history_dates(type(group.hits[0]), [hit.pk for hit in group.hits])
            for hit in group.hits:
                hit.first_recorded, hit.last_changed = dates.get(hit.pk, (None, None))
                hits.append(hit)
        return hits

    def item_title(self, item):
        return item.plain_title

    def item_description(self, item):
        return (item.snippet or "").replace("<mark>", "").replace("</mark>", "")


class CountryFeed(PageFeed):
    """The countries the list shows: those the knowledge base mentions, or with `all=1` every
    state."""

    page_url_name = "country-list"
    title_text = "Countries"

    def check(self, request):
        self.every_state = lists_every_state(request.GET)

    def records(self):
        return Country.objects.all() if self.every_state else listed_countries()

    def item_description(self, item):
        return ", ".join(p for p in (item.get_region_display(), item.subregion) if p)


class OrganisationFeed(PageFeed):
    page_url_name = "organisation-list"
    title_text = "Organisations"

    def records(self):
        return Organisation.objects.all()


class SourceFeed(PageFeed):
    page_url_name = "source-list"
    title_text = "Source documents"

    def records(self):
        return SourceDocument.objects.all()
