"""The API's pagination: 25 records a page, `page_size` up to 100, every value checked."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Pages whose parameters are checked: a `page_size` that is not a whole number from 1 up is
    a 400 (DRF would silently use the default), one above the maximum is capped as documented,
    and every value of a repeated `page` or `page_size` must be valid, not only the last."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "Invalid page: {message}."

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        for value in values:
            if not _positive_whole_number(value):
                raise ValidationError(
                    {
                        self.page_size_query_param: [
                            f"Use a whole number from 1 to {self.max_page_size}."
                        ]
                    }
                )
        digits = values[-1].lstrip("0")
        # Above the maximum is capped (as documented), without converting a huge number.
        return min(int(digits) if len(digits) <= 9 else self.max_page_size, self.max_page_size)

    def get_page_number(self, request, paginator):
        values = request.query_params.getlist(self.page_query_param)
        for value in values[:-1]:
            if value not in self.last_page_strings and not _positive_whole_number(value):
                raise NotFound(self.invalid_page_message.format(message="not a page number"))
        return super().get_page_number(request, paginator)


def _positive_whole_number(value: str) -> bool:
    return value.isascii() and value.isdigit() and bool(value.strip("0"))
