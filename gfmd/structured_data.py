"""schema.org JSON-LD of a record page (`<script type="application/ld+json">`): its name,
description, dates, places, organisations and the source documents it is based on.

A JSON-LD block is data, not a script: browsers never run it, so the Content-Security-Policy
(`script-src 'self'`) does not apply to it; the JSON is escaped so that no `</script>` in a
curator's text can end the block."""

from __future__ import annotations

import json

from django.utils.safestring import mark_safe

# model name: schema.org type
TYPES = {
    "practice": "CreativeWork",
    "recommendation": "CreativeWork",
    "rcp": "Organization",
    "meeting": "Event",
    "roundtable": "Event",
    "session": "Event",
    "country": "Country",
    "organisation": "Organization",
}
DESCRIPTION_FIELDS = ("summary", "description", "narrative", "text", "background")
ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def record_title(record) -> str:
    for name in ("title", "name"):
        value = getattr(record, name, "")
        if value:
            return str(value)
    return str(record)


def _related(record, name: str) -> list:
    manager = getattr(record, name, None)
    if manager is None:
        return []
    return list(manager.all()) if hasattr(manager, "all") else [manager]


def _place(country, request) -> dict:
    return {
        "@type": "Country",
        "name": str(country),
        "identifier": country.iso3,
        "url": request.build_absolute_uri(country.get_absolute_url()),
    }


def structured_data(record, request) -> dict:
    kind = record._meta.model_name
    data = {
        "@context": "https://schema.org",
        "@type": TYPES.get(kind, "Thing"),
        "name": record_title(record),
        "url": request.build_absolute_uri(record.get_absolute_url()),
    }
    for name in DESCRIPTION_FIELDS:
        value = getattr(record, name, "")
        if value:
            data["description"] = str(value)[:1000]
            break
    if getattr(record, "start_date", None):
        data["startDate"] = record.start_date.isoformat()
    if getattr(record, "end_date", None):
        data["endDate"] = record.end_date.isoformat()
    year = getattr(record, "start_year", None) or getattr(record, "established_year", None)
    if year:
        data["temporalCoverage" if kind == "practice" else "foundingDate"] = str(year)
    countries = _related(record, "countries") if kind != "country" else []
    if kind == "rcp":
        countries = _related(record, "members")
    if countries:
        data["member" if kind == "rcp" else "spatialCoverage"] = [
            _place(c, request) for c in countries
        ]
    host = getattr(record, "host_country", None)
    if host is not None:
        data["location"] = {
            "@type": "Place",
            "name": ", ".join(p for p in (getattr(record, "city", ""), str(host)) if p),
            "containedInPlace": _place(host, request),
        }
    if kind == "country":
        data["identifier"] = record.iso3
    # Who carried out a practice; who supports an RCP.
    organisations = {"practice": "organisations", "rcp": "supporting_organisations"}.get(kind)
    organisations = _related(record, organisations) if organisations else []
    if organisations:
        data["contributor" if kind == "practice" else "sponsor"] = [
            {
                "@type": "Organization",
                "name": o.name,
                "url": request.build_absolute_uri(o.get_absolute_url()),
            }
            for o in organisations
        ]
    documents = {}
    for citation in _related(record, "citations"):
        documents.setdefault(citation.document_id, citation.document)
    if documents:
        data["isBasedOn"] = [
            {
                "@type": "Report",
                "name": document.title,
                **({"publisher": document.publisher} if document.publisher else {}),
                **({"datePublished": str(document.year)} if document.year else {}),
                "url": request.build_absolute_uri(document.get_absolute_url()),
            }
            for document in documents.values()
        ]
    return data


def json_ld_script(record, request) -> str:
    text = json.dumps(structured_data(record, request), ensure_ascii=False).translate(ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
