"""The API's filter backend: every list's FilterSet, with every value checked."""

from __future__ import annotations

from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError as APIValidationError

from gfmd.lib.filters import every_value_checked


class FilterBackend(DjangoFilterBackend):
    """The API's filters: the list's FilterSet with every value checked, and a 400 for `q` or
    `ordering` on a list that cannot be searched or sorted (rather than silently ignoring it)."""

    unsupported = {
        "q": "This list cannot be searched.",
        "ordering": "This list has a fixed order and cannot be sorted.",
    }

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        return every_value_checked(filterset_class) if filterset_class else None

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) == "list":
            filterset_class = self.get_filterset_class(view, queryset)
            offered = filterset_class.base_filters if filterset_class else {}
            errors = {
                name: [message]
                for name, message in self.unsupported.items()
                if name not in offered and any(request.query_params.getlist(name))
            }
            if errors:
                raise APIValidationError(errors)
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        # Kept for the view: what its cached results were read from (gfmd.lib.data_version).
        view.filterset = filterset
        return filterset.qs
