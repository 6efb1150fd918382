"""Pages of themes and good practices."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from gfmd.citing import CitableMixin
from gfmd.lib.data_version import cached
from gfmd.lib.feeds import FeedLinkMixin, OldFeedAddress
from gfmd.lib.history import public_changes
from gfmd.lib.listing import FilteredListView
from gfmd.lib.review import PublishedObjectMixin
from practices.facets import FACETS, session_label
from practices.filters import PracticeFilter
from practices.models import Practice, Theme


class ThemeListView(FeedLinkMixin, ListView):
    feed_url_name = "theme-feed"
    query_parameters = ()
    template_name = "practices/theme_list.html"

    def get_queryset(self):
        return Theme.objects.published().select_related("parent").order_by(*Theme._meta.ordering)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        themes = list(context["object_list"])
        counts = cached(self.request, "theme-counts", (), Theme.objects.usage_counts)
        for theme in themes:
            theme.practice_count = counts["practices"].get(theme.pk, 0)
            theme.recommendation_count = counts["recommendations"].get(theme.pk, 0)
        children = {}
        for theme in themes:
            children.setdefault(theme.parent_id, []).append(theme)
        for theme in themes:
            theme.child_list = children.get(theme.pk, [])
        context["roots"] = children.get(None, [])
        return context


class ThemeDetailView(PublishedObjectMixin, DetailView):
    query_parameters = ()
    template_name = "practices/theme_detail.html"

    def get_queryset(self):
        return Theme.objects.for_page()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(Theme.objects.records_below(self.object))
        return context


class PracticeListView(FilteredListView):
    template_name = "practices/practice_list.html"
    filterset_class = PracticeFilter
    feed_url_name = "practice-feed"
    cached_ids_name = "practices"

    def base_queryset(self):
        return Practice.objects.published().with_related()

    facet_table = FACETS
    facets_name = "practices"
    facet_label_format = session_label
    sort_choices = (
        ("title", _("Title A–Z")),
        ("-title", _("Title Z–A")),
        ("-start_year", _("Newest first")),
        ("start_year", _("Oldest first")),
    )
    year_range = ("start_year_min", "start_year_max")


class PracticeDetailView(PublishedObjectMixin, OldFeedAddress, CitableMixin, DetailView):
    old_feed_url_name = "practice-feed"
    template_name = "practices/practice_detail.html"

    def get_queryset(self):
        return Practice.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related"] = related_practices(self.request, self.object)
        context["changes"] = public_changes(self.object)
        return context


def related_practices(request, practice, limit: int = 6) -> list[Practice]:
    """The practices sharing most themes with this one. Ranking them reads every practice of
    those themes, so the ids are kept per data version."""
    theme_ids = tuple(theme.pk for theme in practice.themes.all())
    ids = cached(
        request,
        "related",
        (practice.pk, theme_ids),
        lambda: Practice.objects.published().related_ids(practice, limit),
    )
    rows = {p.pk: p for p in Practice.objects.filter(pk__in=ids).only("slug", "title", "summary")}
    return [rows[pk] for pk in ids if pk in rows]
