"""Pages of themes and good practices."""

from django.db.models import Count, Q
from django.views.generic import DetailView, ListView

from gfmd.listing import FilteredListView
from practices.facets import practice_facets
from practices.filters import PracticeFilter
from practices.models import Practice, Theme, published_filter


class ThemeListView(ListView):
    template_name = "practices/theme_list.html"

    def get_queryset(self):
        published = published_filter("practices__")
        # Meta.ordering is not applied by Django to a query with GROUP BY: given again.
        return (
            Theme.objects.annotate(
                practice_count=Count("practices", filter=published, distinct=True),
                recommendation_count=Count("recommendations", distinct=True),
            )
            .select_related("parent")
            .order_by(*Theme._meta.ordering)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        themes = list(context["object_list"])
        children = {}
        for theme in themes:
            children.setdefault(theme.parent_id, []).append(theme)
        for theme in themes:
            theme.child_list = children.get(theme.pk, [])
        context["roots"] = children.get(None, [])
        return context


class ThemeDetailView(DetailView):
    template_name = "practices/theme_detail.html"

    def get_queryset(self):
        return Theme.objects.for_detail()


class PracticeListView(FilteredListView):
    template_name = "practices/practice_list.html"
    filterset_class = PracticeFilter

    def base_queryset(self):
        return Practice.objects.published().with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.filter_error:
            selected = {name: self.request.GET.getlist(name) for name in self.request.GET}
            context["facets"] = practice_facets(self.filterset.qs, selected)
        return context


class PracticeDetailView(DetailView):
    template_name = "practices/practice_detail.html"

    def get_queryset(self):
        return Practice.objects.published().for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        practice = self.object
        theme_ids = [theme.pk for theme in practice.themes.all()]
        context["related"] = (
            Practice.objects.published()
            .filter(themes__in=theme_ids)
            .exclude(pk=practice.pk)
            .annotate(shared=Count("themes", filter=Q(themes__in=theme_ids)))
            .order_by("-shared", "title")
            .only("slug", "title", "summary")[:6]
        )
        return context
