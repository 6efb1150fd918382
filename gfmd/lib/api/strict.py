"""Strict query parameters: an API endpoint refuses a parameter it does not take, with a 400 that
names it and lists those it accepts (`?regio=asia` would otherwise answer every row).

HTML pages are lenient on purpose (links from elsewhere carry tracking parameters); only the
API's viewsets use this."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError

FORMAT = "format"

# Said instead of "Unknown parameter." where the name is a known idea the endpoint lacks.
HINTS = {
    "q": "This list cannot be searched.",
    "ordering": "This list has a fixed order and cannot be sorted.",
    "limit": "Pages are chosen with page and page_size.",
    "offset": "Pages are chosen with page and page_size.",
}


def check_parameters(query_params, accepted) -> None:
    """A 400 naming every parameter of `query_params` not in `accepted`."""
    accepted = sorted(set(accepted))
    unknown = [name for name in query_params if name not in accepted]
    if not unknown:
        return
    listed = ", ".join(accepted)
    raise ValidationError(
        {
            name[:60]: [f"{HINTS.get(name, 'Unknown parameter.')} This endpoint accepts: {listed}."]
            for name in unknown
        }
    )


class StrictParametersMixin:
    """A viewset mixin: before anything else is done, the query's parameter names are checked
    against those of the action (`format`, the paginator's for a paginated list, and the
    FilterSet's filters for a list or another action on the collection)."""

    extra_parameters: tuple[str, ...] = ()

    def accepted_parameters(self) -> list[str]:
        names = [FORMAT, *self.extra_parameters]
        action = getattr(self, "action", None)
        if getattr(self, "detail", None) is False:  # the router marks collection routes
            filterset_class = getattr(self, "filterset_class", None)
            if filterset_class is not None:
                names += list(filterset_class.base_filters)
        if action == "list" and getattr(self, "pagination_class", None) is not None:
            pagination = self.pagination_class
            names += [pagination.page_query_param, pagination.page_size_query_param]
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        check_parameters(request.query_params, self.accepted_parameters())
