"""The list-page machinery shared by every filtered HTML list: a FilterSet, its errors as a
400 page, removable chips for the active filters, and page links that keep the filters."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404
from django.utils.translation import gettext as _
from django.views.generic import ListView

from gfmd.lib.data_version import cached_ids
from gfmd.lib.facets import cached_facet_fields, cached_facets
from gfmd.lib.feeds import feed_url
from gfmd.lib.filters import error_message, every_value_checked


@dataclass(frozen=True)
class Chip:
    label: str
    remove_url: str


class _NamesRead(dict):
    """An empty query that notes each name read from it, the way a form's widgets read them."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def get(self, key, default=None):
        self.names.add(key)
        return default

    def getlist(self, key, default=None):
        self.names.add(key)
        return [] if default is None else default

    def __contains__(self, key):
        self.names.add(key)
        return False

    def __bool__(self):
        return True  # a FilterSet takes an empty query for none (`data or {}`)


@functools.cache
def form_parameters(filterset_class) -> frozenset[str]:
    """The query parameters a FilterSet's form reads: each filter's name, or its suffixed names
    for a range (`year_min`, `year_max`). Read without the database."""
    data = _NamesRead()
    form = filterset_class(data, queryset=filterset_class._meta.model._default_manager.none()).form
    for bound_field in form:
        bound_field.data  # noqa: B018 - reading it is what notes the names
    return frozenset(data.names)


class FilteredListView(ListView):
    filterset_class = None
    paginate_by = 20
    max_page_size = 100
    # With a name, the filtered ids are cached under the data version (gfmd.lib.data_version), so
    # that a page costs one query by primary key however costly its filters and sort.
    cached_ids_name = ""
    # With a URL name, the page advertises the Atom feed of its list (gfmd.lib.feeds.ListFeed),
    # with the same filters.
    feed_url_name = ""
    # The list's facets (`gfmd.lib.facets.facet_table`), shown as checkboxes with disjunctive
    # counts, cached under `facets_name` and the data version.
    facet_table: tuple = ()
    facets_name = ""
    facet_label_format = None
    # The sort menu: (value, label) pairs; empty for a list sorted by its column headings.
    sort_choices: tuple = ()
    # Year range inputs: (minimum filter, maximum filter) of the FilterSet, if any.
    year_range: tuple = ()

    def base_queryset(self):
        raise NotImplementedError

    @classmethod
    def query_parameters(cls) -> frozenset[str]:
        """The query parameters the list answers to (the page cache keys on these alone): its
        filters' and the page number. Any other is ignored, and left out of page links' meaning."""
        return form_parameters(cls.filterset_class) | {cls.page_kwarg}

    def get_queryset(self):
        base = self.base_queryset()
        filterset_class = every_value_checked(self.filterset_class)
        self.filterset = filterset_class(self.request.GET or None, queryset=base)
        self.filter_error = ""
        if self.filterset.is_bound and not self.filterset.is_valid():
            self.filter_error = error_message(self.filterset.errors)
            return base.none()
        if self.cached_ids_name:
            return cached_ids(
                self.request, self.cached_ids_name, self.filterset.qs, base, self.filterset
            )
        return self.filterset.qs

    def get_paginate_by(self, queryset):
        return self.paginate_by

    def paginate_queryset(self, queryset, page_size):
        """The last `page` given is shown, as Django does; earlier ones must be page numbers too,
        so that a bad one is reported rather than silently dropped."""
        for value in self.request.GET.getlist(self.page_kwarg)[:-1]:
            if value != "last" and not (value.isascii() and value.isdigit() and value.strip("0")):
                raise Http404(
                    _("Invalid page (%(page)s): that is not a page number.") % {"page": value[:40]}
                )
        return super().paginate_queryset(queryset, page_size)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.filter_error:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        context.update(
            filter=self.filterset,
            filter_error=self.filter_error,
            chips=self.chips(),
            querystring=params.urlencode(),
            result_count=context["paginator"].count
            if context.get("paginator")
            else len(context["object_list"]),
            sort_choices=self.sort_choices,
            year_range=[self.filterset.form[name] for name in self.year_range],
        )
        if self.feed_url_name:
            context["feed_url"] = feed_url(
                self.request, self.feed_url_name, self.query_parameters()
            )
        if self.facet_table and not self.filter_error:
            context["facets"] = self.facets()
            context["facet_fields"] = cached_facet_fields(
                self.request, self.facets_name, self.facets
            )
        return context

    def facets(self):
        return cached_facets(
            self.request,
            self.facets_name,
            self.filterset,
            self.filterset.queryset,
            self.facet_table,
            type(self).facet_label_format,
        )

    def chip_label(self, name: str, value: str) -> str:
        """'Country: Philippines' rather than 'country=PHL'."""
        field = self.filterset.form.fields[name]
        label = field.label or name
        names = {}
        if hasattr(field, "queryset"):
            key = field.to_field_name or "pk"
            cleaned = getattr(self.filterset.form, "cleaned_data", {}).get(name) or []
            names = {str(getattr(obj, key)).lower(): str(obj) for obj in cleaned}
        elif getattr(field, "choices", None):
            names = {str(k).lower(): str(v) for k, v in field.choices}
        return _("%(filter)s: %(value)s") % {
            "filter": label,
            "value": names.get(str(value).lower(), value),
        }

    def chips(self) -> list[Chip]:
        chips = []
        for name in self.request.GET:
            if name in {"page", "ordering"} or name not in self.filterset.filters:
                continue
            for value in self.request.GET.getlist(name):
                if not value:
                    continue
                remaining = [
                    (key, v)
                    for key in self.request.GET
                    if key != "page"
                    for v in self.request.GET.getlist(key)
                    if not (key == name and v == value)
                ]
                chips.append(Chip(self.chip_label(name, value), "?" + urlencode(remaining)))
        return chips
