"""The API's pagination: 25 records a page, `page_size` up to 100, every value checked."""

from __future__ import annotations

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Pages whose parameters are checked: a `page_size` that is not a whole number from 1 to the
    maximum is a 400 (DRF would silently use the default, or cap it), and every value of a
    repeated `page` or `page_size` must be valid, not only the last."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "Invalid page: {message}."

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        for value in values:
            if not _positive_whole_number(value) or _number(value) > self.max_page_size:
                raise ValidationError(
                    {
                        self.page_size_query_param: [
                            f"Use a whole number from 1 to {self.max_page_size}."
                        ]
                    }
                )
        return _number(values[-1])

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1; past the last page is a 404.",
                "schema": {"type": "integer", "minimum": 1},
                "example": 1,
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Records per page, 1 to {self.max_page_size} (default {self.page_size}); "
                    "more is a 400."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
                "example": self.page_size,
            },
        ]

    def get_page_number(self, request, paginator):
        values = request.query_params.getlist(self.page_query_param)
        for value in values[:-1]:
            if value not in self.last_page_strings and not _positive_whole_number(value):
                raise NotFound(self.invalid_page_message.format(message="not a page number"))
        return super().get_page_number(request, paginator)


def _positive_whole_number(value: str) -> bool:
    return value.isascii() and value.isdigit() and bool(value.strip("0"))


def _number(value: str) -> int:
    """The value of a string of digits, without converting a huge number (any number of more
    than nine digits is above every maximum here)."""
    digits = value.lstrip("0")
    return int(digits) if len(digits) <= 9 else 10**9
