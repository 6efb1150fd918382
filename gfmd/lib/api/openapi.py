"""The OpenAPI description of every operation: a tag per resource, a summary, each filter's
meaning, value format and an example, and the error and CSV responses (`DEFAULT_SCHEMA_CLASS`)."""

from __future__ import annotations

import re

import django_filters
from drf_spectacular import openapi

from gfmd.lib.filters import KeyMultipleFilter, SearchFilter, YearFilter

ERROR_400 = {
    "description": (
        "Bad request: a parameter the endpoint does not take, a value it does not accept, or an "
        "invalid write. Each key names the parameter (or field) at fault."
    ),
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "example": {"regio": ["Unknown parameter. This endpoint accepts: format, region."]},
        }
    },
}
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
ERROR_404 = {
    "description": "Not found: no record has that key, or the page is past the last one.",
    "content": {"application/json": {"schema": DETAIL}},
}
ERROR_409 = {
    "description": (
        "Conflict: the record changed since the `version` you sent; read it again and retry."
    ),
    "content": {"application/json": {"schema": DETAIL}},
}
CSV = {
    "schema": {"type": "string"},
    "description": "CSV (`format=csv`), UTF-8 with a header row: one row per record, every "
    "matching record in one file (not paginated); nested records are given by their keys, "
    "several joined by '; '. Sent as an attachment with a file name.",
}

SUMMARIES = {
    "list": "List {resource}",
    "retrieve": "Get one of {resource}",
    "create": "Create one of {resource} (staff)",
    "update": "Replace one of {resource} (staff; send its version)",
    "partial_update": "Update one of {resource} (staff; send its version)",
    "destroy": "Delete one of {resource} (staff)",
}


def quoted_example(text: str) -> str | None:
    """The first value quoted in a filter's error hint ("ISO codes such as 'PHL'"): the same
    example the error message gives."""
    match = re.search(r"'([^']+)'", text or "")
    return match.group(1) if match else None


def describe(flt) -> tuple[str, str | None]:
    """(What the filter means and the format of its values, an example value)."""
    label = str(flt.label or "")
    help_text = flt.extra.get("help_text") or ""
    if isinstance(flt, django_filters.OrderingFilter):
        choices = [key for key, _ in flt.extra["choices"]]
        return (f"Sort by a field; `-field` reverses. One of: {', '.join(choices)}.", choices[1])
    if isinstance(flt, KeyMultipleFilter):
        hint = flt.extra.get("example", "")
        text = help_text or f"{label}: {hint}. Repeat the parameter for any of several."
        return text, quoted_example(hint)
    if "choices" in flt.extra:
        first = next(iter(flt.extra["choices"]))[0]
        return f"{label}: one of the values below; repeat the parameter for any of several.", first
    if isinstance(flt, SearchFilter):
        return (
            "Full-text search, at most 200 characters; websearch syntax: "
            '`"circular migration"`, `nurses or doctors`, `remittances -bonds`.',
            "remittances",
        )
    if isinstance(flt, YearFilter):
        bound = "from" if flt.lookup_expr == "gte" else "up to"
        return f"{label}: a year, 1900 to 2100 ({bound}, inclusive).", "2005"
    return f"{label}: text, at most 200 characters.", None


class AutoSchema(openapi.AutoSchema):
    def resource(self) -> str:
        parts = [part for part in self.path.split("/") if part]
        return parts[2] if len(parts) > 2 else "api"

    def get_tags(self) -> list[str]:
        return [self.resource()]

    def get_summary(self) -> str | None:
        action = getattr(self.view, "action", None)
        template = SUMMARIES.get(action)
        if template:
            return template.format(resource=self.resource())
        method = getattr(self.view, action or "", None)
        doc = (getattr(method, "__doc__", None) or "").strip()
        return doc.split(".")[0] if doc else None

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = (
                "The response's format (instead of an Accept header): "
                f"{', '.join(parameter['schema'].get('enum', []))}; another is a 400."
            )
        return parameters

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        if filterset_class is None:
            return parameters
        for parameter in parameters:
            flt = filterset_class.base_filters.get(parameter["name"])
            if flt is None:
                continue
            text, example = describe(flt)
            choices = parameter.get("description", "").partition("\n\n")[2]
            parameter["description"] = f"{text}\n\n{choices}" if choices else text
            if example is not None:
                parameter["example"] = (
                    [example] if parameter["schema"].get("type") == "array" else example
                )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for response in responses.values():
            content = response.get("content", {})
            if "text/csv" in content:
                content["text/csv"] = {"schema": CSV["schema"]}
                response["description"] = "JSON, or " + CSV["description"]
        responses.setdefault("400", ERROR_400)
        action = getattr(self.view, "action", None)
        detail = getattr(self.view, "detail", None)
        if detail or action == "list":
            responses.setdefault("404", ERROR_404)
        if self.method in ("PUT", "PATCH"):
            responses.setdefault("409", ERROR_409)
        return responses
