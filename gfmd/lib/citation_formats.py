"""A record cited in the formats reference managers import (BibTeX, RIS, CSL-JSON), chosen by
content negotiation (`Accept`) as DOI resolvers do, or by `?cite=` for a download link."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.cache import patch_vary_headers


@dataclass
class Place:
    """Where in a source document a record's words are: the document, its section, and the
    passages quoted there, by paragraph number or page ('para. 14', 'p. 4')."""

    title: str
    publisher: str = ""
    year: int | None = None
    symbol: str = ""
    locator: str = ""
    passages: list[str] = field(default_factory=list)

    @property
    def pinpoint(self) -> str:
        """The section and the passages: 'III 2.2 Roundtable 2, para. 14, para. 15'."""
        return ", ".join(part for part in (self.locator, *self.passages) if part)


@dataclass
class Reference:
    key: str
    title: str
    url: str
    accessed: date
    author: str = "GFMD Practices"
    container: str = "GFMD Practices knowledge base"
    places: list[Place] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        """The year of the source the record is based on (the first cited), else none."""
        return next((place.year for place in self.places if place.year), None)

    def based_on(self) -> str:
        parts = []
        for place in self.places:
            imprint = ", ".join(str(p) for p in (place.publisher, place.year) if p)
            symbol = f" {place.symbol}" if place.symbol else ""
            text = f"{place.title}{symbol}" + (f" ({imprint})" if imprint else "")
            parts.append(f"{text}, {place.pinpoint}" if place.pinpoint else text)
        return "Based on " + "; ".join(parts) if parts else ""


# format: (media type, file extension, label)
FORMATS = {
    "bibtex": ("application/x-bibtex", "bib", "BibTeX"),
    "ris": ("application/x-research-info-systems", "ris", "RIS"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json", "CSL-JSON"),
}
BY_MEDIA_TYPE = {media_type: name for name, (media_type, _, _) in FORMATS.items()}
QUERY_PARAMETER = "cite"


def _bibtex_text(value: str) -> str:
    value = re.sub(r"([\\{}%&$#_^~])", r"\\\1", value)
    return value.replace("\n", " ")


def bibtex(ref: Reference) -> str:
    fields = [
        ("title", "{" + _bibtex_text(ref.title) + "}"),
        ("author", "{" + _bibtex_text(ref.author) + "}"),
        ("year", str(ref.year) if ref.year else ""),
        ("howpublished", _bibtex_text(ref.container)),
        ("url", ref.url),
        ("urldate", ref.accessed.isoformat()),
        ("note", _bibtex_text(ref.based_on())),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{ref.key},\n{body}\n}}\n"


def ris(ref: Reference) -> str:
    lines = [("TY", "GEN"), ("TI", ref.title), ("AU", ref.author), ("T2", ref.container)]
    if ref.year:
        lines.append(("PY", str(ref.year)))
    lines += [("UR", ref.url), ("Y2", ref.accessed.isoformat())]
    if ref.based_on():
        lines.append(("N1", ref.based_on()))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {value.replace(chr(10), ' ')}\r\n" for tag, value in lines)


def csl_json(ref: Reference) -> str:
    item = {
        "id": ref.key,
        "type": "entry",
        "title": ref.title,
        "author": [{"literal": ref.author}],
        "container-title": ref.container,
        "URL": ref.url,
        "accessed": {"date-parts": [[ref.accessed.year, ref.accessed.month, ref.accessed.day]]},
    }
    if ref.year:
        item["issued"] = {"date-parts": [[ref.year]]}
    if ref.based_on():
        item["note"] = ref.based_on()
    if ref.places:
        first = ref.places[0]
        item["source"] = first.title
        if first.locator:
            item["section"] = first.locator
        if first.passages:
            item["locator"] = ", ".join(first.passages)
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


WRITERS = {"bibtex": bibtex, "ris": ris, "csl-json": csl_json}


def requested_format(request) -> str | None:
    """The citation format asked for: `?cite=` or the first media type of `Accept`."""
    if QUERY_PARAMETER in request.GET:
        return request.GET[QUERY_PARAMETER]
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return BY_MEDIA_TYPE.get(first)


def citation_response(ref: Reference, name: str) -> HttpResponse:
    if name not in FORMATS:
        return HttpResponseBadRequest(
            f"{QUERY_PARAMETER}: unknown format {name[:40]!r}; use one of {', '.join(FORMATS)}.",
            content_type="text/plain; charset=utf-8",
        )
    media_type, extension, _ = FORMATS[name]
    response = HttpResponse(WRITERS[name](ref), content_type=f"{media_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ref.key}.{extension}"'
    patch_vary_headers(response, ["Accept"])
    return response
