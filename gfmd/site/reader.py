"""The reader of a source document: its text page by page, cited passages highlighted with the
records that cite them, and search within the document."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import capfirst
from django.views.generic import TemplateView

from gfmd.lib.filters import error_message
from gfmd.lib.records import records_by_key
from gfmd.models import READER_PAGE_SIZE, Citation, Passage, PassageKind, SourceDocument

SEARCH_LIMIT = 50


class DocumentSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search this document",
        help_text='Words of the text; "quoted words" for a phrase.',
    )
    page = forms.IntegerField(required=False, min_value=1, label="Page")


def kind_label(row) -> str:
    """'Horizontal issues', not the model's name 'horizontalissue'."""
    try:
        model = apps.get_model(row["content_type__app_label"], row["content_type__model"])
    except LookupError:
        return row["content_type__model"]
    return capfirst(model._meta.verbose_name_plural)


class SourceReaderView(TemplateView):
    template_name = "gfmd/source_detail.html"

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(SourceDocument.objects.for_detail(), slug=kwargs["slug"])
        form = DocumentSearchForm(request.GET)
        context = {"object": document, "document": document, "form": form}
        if not form.is_valid():
            context["error"] = error_message(form.errors)
            return self.render_to_response(context, status=400)
        rows = (
            Citation.objects.public()
            .filter(document=document)
            .values("content_type__app_label", "content_type__model")
            .annotate(n=Count("id"), records=Count("object_id", distinct=True))
            .order_by("-n")
        )
        context["by_kind"] = [{**row, "label": kind_label(row)} for row in rows]
        if document.has_text:
            query = form.cleaned_data["q"].strip()
            if query:
                context.update(self.search(document, query))
            else:
                number = form.cleaned_data["page"] or 1
                context.update(self.read(document, number))
        return self.render_to_response(context)

    def read(self, document: SourceDocument, number: int) -> dict:
        passages = Passage.objects.filter(document=document).order_by("position")
        paginator = Paginator(passages, READER_PAGE_SIZE)
        if number > paginator.num_pages:
            raise Http404(
                f"{document} has {paginator.num_pages} page{'s' if paginator.num_pages > 1 else ''}"
                f" of text; there is no page {number}"
            )
        page = paginator.page(number)
        rows = list(
            page.object_list.prefetch_related(
                Prefetch(
                    "citations",
                    queryset=Citation.objects.public().order_by("content_type_id", "object_id"),
                )
            )
        )
        page.object_list = rows  # the page's truth test (len) must not query again
        records = records_by_key(
            (c.content_type_id, c.object_id) for p in rows for c in p.citations.all()
        )
        for passage in rows:
            passage.citing = []
            seen = set()
            for citation in passage.citations.all():
                record = records.get((citation.content_type_id, citation.object_id))
                key = (citation.content_type_id, citation.object_id)
                if record is not None and key not in seen:
                    seen.add(key)
                    passage.citing.append((record, record._meta.verbose_name, citation))
            passage.excerpts = [c.excerpt for c in passage.citations.all()]
        contents = Passage.objects.filter(
            document=document, kind=PassageKind.HEADING, level__lte=3
        ).only("position", "anchor", "text", "level")
        return {"page_obj": page, "passages": rows, "contents": contents}

    def search(self, document: SourceDocument, query: str) -> dict:
        hits = Passage.objects.filter(document=document).text().search(query)
        found = list(hits[: SEARCH_LIMIT + 1])
        return {
            "query": query,
            "hits": found[:SEARCH_LIMIT],
            "more_hits": len(found) > SEARCH_LIMIT,
        }


def passage_permalink(request, slug: str, anchor: str):
    """/sources/<slug>/passages/<anchor>/: the reader's page of the passage, at its anchor."""
    passage = get_object_or_404(
        Passage.objects.select_related("document"), document__slug=slug, anchor=anchor
    )
    return redirect(passage.get_absolute_url())
