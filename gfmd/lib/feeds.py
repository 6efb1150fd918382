"""Atom feeds of new and changed records (Django's syndication framework): one for each filtered
list page, taking the page's own filters, and one for the search. A record's dates come from its
edit history: first recorded (published) and last changed (updated)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import Max, Min, OuterRef, Subquery
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from gfmd.lib.filters import error_message, every_value_checked

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


class ListFeed(RecordFeed):
    """The newest changed records of a FilteredListView's list, with the same filters."""

    list_view_class = None  # a gfmd.lib.listing.FilteredListView
    page_url_name = ""  # the list page's URL name
    title_text = ""

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
        queryset = with_history_dates(self.filterset.qs)
        return queryset.order_by("-last_changed", "pk")[:LIMIT]
