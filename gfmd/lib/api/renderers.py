"""CSV output for every API list."""

from __future__ import annotations

import csv
import io
import re

from rest_framework.renderers import BaseRenderer


class CSVRenderer(BaseRenderer):
    """Flat CSV of a list: nested records become their names joined by '; '."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        request = (renderer_context or {}).get("request")
        if response is not None and request is not None and response.status_code < 400:
            response["Content-Disposition"] = f'attachment; filename="{filename(request.path)}"'
        if _is_page(data):
            data = data["results"]
        if response is not None and response.status_code >= 400 or not isinstance(data, list):
            data = [data] if isinstance(data, dict) else []
        rows = [{key: _flat(value) for key, value in row.items()} for row in data]
        out = io.StringIO()
        columns = list(rows[0]) if rows else []
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")


def _is_page(data) -> bool:
    """A page of a list (gfmd.lib.api.pagination), not a record that has a `results` field (a
    practice's results are text)."""
    return isinstance(data, dict) and isinstance(data.get("results"), list) and "count" in data


def filename(path: str) -> str:
    """The download's name, from the path below the API's version: `/api/v1/practices/` gives
    `practices.csv`, `/api/v1/practices/facets/` gives `practices-facets.csv`."""
    parts = path.strip("/").split("/")[2:] or ["data"]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts))[:120] + ".csv"


def _flat(value):
    if isinstance(value, list):
        return "; ".join(str(_flat(item)) for item in value)
    if isinstance(value, dict):
        for key in ("iso3", "code", "slug", "name", "title"):
            if key in value:
                return value[key]
        return "; ".join(f"{k}={_flat(v)}" for k, v in value.items())
    if value is None:
        return ""
    text = str(value)
    # Keep spreadsheets from reading a cell as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
