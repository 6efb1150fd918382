"""Every record page can be cited: a "Cite this page" block with downloads, and the same
citation by content negotiation on the page's URL (`Accept: application/x-bibtex`, ...)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from gfmd.lib.citation_formats import (
    FORMATS,
    QUERY_PARAMETER,
    Place,
    Reference,
    citation_response,
    requested_format,
)
from gfmd.structured_data import json_ld_script, record_title


def record_key(record) -> str:
    key = getattr(record, "slug", None) or getattr(record, "iso3", None) or record.pk
    return f"gfmd-practices-{record._meta.model_name}-{key}".lower()


def places(record) -> list[Place]:
    """The source documents and places a record is cited at (its prefetched citations, with
    their documents and passages): one place per document and section, with the paragraph
    number or page of each passage quoted there, where it has one."""
    citations = getattr(record, "citations", None)
    if citations is None:
        return []
    found: dict[tuple[int, str], Place] = {}
    for citation in citations.all():
        passage = citation.passage if citation.passage_id else None
        locator = citation.locator or (passage.section if passage else "")
        place = found.setdefault(
            (citation.document_id, locator),
            Place(
                title=citation.document.title,
                publisher=citation.document.publisher,
                year=citation.document.year,
                symbol=citation.document.symbol,
                locator=locator,
            ),
        )
        # A paragraph number or a page a reader finds in print; a passage placed only by the
        # lines of the text file adds nothing to the section.
        if passage is not None and (passage.number or passage.page):
            # (not twice where the curated section already names it)
            if passage.place not in place.passages and passage.place not in locator:
                place.passages.append(passage.place)
    return list(found.values())


def reference(record, request) -> Reference:
    return Reference(
        key=record_key(record),
        title=record_title(record),
        url=request.build_absolute_uri(record.get_absolute_url()),
        accessed=timezone.localdate(),
        places=places(record),
    )


def cite_context(record, request) -> dict:
    """The "Cite this page" block's context: the reference and its download links."""
    return {
        "reference": reference(record, request),
        "downloads": [
            (label, f"?{QUERY_PARAMETER}={name}", media_type)
            for name, (media_type, _, label) in FORMATS.items()
        ],
    }


def render_citable(request, template_name: str, record, context: dict):
    """A record page, or its citation when one is asked for (function views' CitableMixin)."""
    name = requested_format(request)
    if name is not None:
        return citation_response(reference(record, request), name)
    context = {
        **context,
        "cite": cite_context(record, request),
        "structured_data": json_ld_script(record, request),
    }
    response = render(request, template_name, context)
    patch_vary_headers(response, ["Accept"])
    return response


class CitableMixin:
    """A DetailView whose record is also answered as a citation, and whose page shows the
    "Cite this page" block (`cite` in the context) and embeds its schema.org JSON-LD."""

    # The one query parameter read: a citation format (gfmd.lib.page_cache keys on it alone).
    query_parameters = (QUERY_PARAMETER,)

    def render_to_response(self, context, **kwargs):
        name = requested_format(self.request)
        if name is not None:
            return citation_response(reference(self.object, self.request), name)
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["Accept"])
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cite"] = cite_context(self.object, self.request)
        context["structured_data"] = json_ld_script(self.object, self.request)
        return context
