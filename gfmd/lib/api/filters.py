"""The API's filter backend: every list's FilterSet, with every value checked."""

from __future__ import annotations

from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend

from gfmd.lib.filters import every_value_checked


class FilterBackend(DjangoFilterBackend):
    """The API's filters: the list's FilterSet with every value checked. A parameter the list
    does not take (`q` on a list that cannot be searched, say) is refused before filtering, by
    `gfmd.lib.api.strict`."""

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        return every_value_checked(filterset_class) if filterset_class else None

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        # Kept for the view: what its cached results were read from (gfmd.lib.data_version).
        view.filterset = filterset
        return filterset.qs
