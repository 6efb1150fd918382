"""Atom feeds of new and changed records (Django's syndication framework): one for each list
page, taking the page's own filters, and one for the search. A record's dates come from its edit
history: first recorded (published) and last changed (updated).

Feeds live under `/feeds/<list>/`, apart from the records' own addresses, so no record's slug can
be taken by a feed. A list's feed used to be at `<list>/feed/`; `OldFeedAddress` still leads
there from that address, unless a record's slug is `feed`, whose page it then is."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import Max, Min, OuterRef, Subquery
from django.http import Http404, HttpResponseBadRequest, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from gfmd.lib.filters import error_message, every_value_checked
from gfmd.lib.review import published

LIMIT = 50
# The page's own parameters that do not narrow the list.
NOT_FILTERS = ("page", "ordering")


def with_history_dates(queryset):
    """`queryset` with `first_recorded` and `last_changed`, from its model's history table."""
    history = queryset.model.history.model.objects.filter(id=OuterRef("pk")).values("id")
    return queryset.annotate(
        first_recorded=Subquery(history.annotate(at=Min("history_date")).values("at")[:1]),
        last_changed=Subquery(history.annotate(at=Max("history_date")).values("at")[:1]),
    )


def history_dates(model, ids) -> dict:
    """{id: (first recorded, last changed)} of some records of `model`: one query."""
    rows = (
        model.history.model.objects.filter(id__in=ids)
        .values("id")
        .annotate(first=Min("history_date"), last=Max("history_date"))
    )
    return {row["id"]: (row["first"], row["last"]) for row in rows}


class RecordFeed(Feed):
    """Shared behaviour: Atom, a 400 naming a bad parameter (as the page would), entries with
    their dates, summary and page link."""

    feed_type = Atom1Feed
    summary_fields = ("summary", "text", "narrative", "description")

    def __call__(self, request, *args, **kwargs):
        self.request = request
        try:
            self.check(request)
        except ValueError as exc:
            return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
        return super().__call__(request, *args, **kwargs)

    def check(self, request) -> None:
        """Raise ValueError with the message of a 400."""

    def link(self):
        return self.page_url()

    def page_url(self) -> str:
        raise NotImplementedError

    def item_title(self, item):
        return getattr(item, "title", None) or getattr(item, "name", None) or str(item)

    def item_description(self, item):
        for name in self.summary_fields:
            value = getattr(item, name, "")
            if value:
                return str(value)[:600]
        return ""

    def item_pubdate(self, item):
        return getattr(item, "first_recorded", None)

    def item_updateddate(self, item):
        return getattr(item, "last_changed", None) or getattr(item, "first_recorded", None)


class PageFeed(RecordFeed):
    """The newest changed records of a list page: `records()` says which."""

    page_url_name = ""  # the list page's URL name
    title_text = ""

    def records(self):
        raise NotImplementedError

    def page_url(self) -> str:
        query = self.request.GET.urlencode()
        path = reverse(self.page_url_name)
        return f"{path}?{query}" if query else path

    def title(self):
        query = self.request.GET.urlencode()
        title = gettext("GFMD Practices: %(list)s") % {"list": self.title_text}
        return title + (f" ({query})" if query else "")

    def subtitle(self):
        return gettext("New and changed %(records)s, newest first.") % {
            "records": str(self.title_text).lower()
        }

    def items(self):
        # published records only, whatever `records()` reads (gfmd.lib.review)
        queryset = with_history_dates(published(self.records()))
        return queryset.order_by("-last_changed", "pk")[:LIMIT]


class ListFeed(PageFeed):
    """The newest changed records of a FilteredListView's list, with the same filters."""

    list_view_class = None  # a gfmd.lib.listing.FilteredListView

    def check(self, request):
        filterset_class = every_value_checked(self.list_view_class.filterset_class)
        data = request.GET.copy()
        for name in NOT_FILTERS:
            data.pop(name, None)
        self.filterset = filterset_class(
            data or None, queryset=self.list_view_class().base_queryset()
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            raise ValueError(error_message(self.filterset.errors))

    def records(self):
        return self.filterset.qs


def feed_url(request, url_name: str, accepted=None) -> str:
    """The address of a list's feed with the filters of this request to its page (not its page
    number or sort, which do not change what the feed holds), and of those only the `accepted`
    ones when the page says which it reads: the page cache keys on those alone, so a tag
    appended to one visitor's link is never in the page served to the next."""
    params = request.GET.copy()
    for name in list(params):
        if name in NOT_FILTERS or (accepted is not None and name not in accepted):
            params.pop(name)
    query = params.urlencode()
    return reverse(url_name) + (f"?{query}" if query else "")


class FeedLinkMixin:
    """Of a list page: its page advertises its feed (`feed_url` in the context, which
    templates/base.html links with rel="alternate")."""

    feed_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accepted = getattr(self, "query_parameters", None)
        context["feed_url"] = feed_url(self.request, self.feed_url_name, accepted)
        return context


class OldFeedAddress:
    """Of a DetailView by slug: `<list>/feed/`, where the list's feed used to be, leads to the
    feed (`/feeds/<list>/`, with the same query) unless a record's slug is `feed`."""

    old_feed_url_name = ""

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            if kwargs.get(self.slug_url_kwarg) != "feed":
                raise
            return redirect_to_feed(request, self.old_feed_url_name)


def redirect_to_feed(request, url_name: str):
    query = request.GET.urlencode()
    return HttpResponsePermanentRedirect(reverse(url_name) + (f"?{query}" if query else ""))


def old_feed_view(url_name: str):
    """A view answering an old feed address that no record's page can have (`/search/feed/`)."""

    def view(request):
        return redirect_to_feed(request, url_name)

    return view
