"""What the knowledge base holds, and what its records lack: counts per kind, what each source
document contributes (the records citing it and the line ranges cited), and the records with no
citation or an empty summary (an organisation without a description among them). Generated
benchmark data (`manage.py synthesize`) is left out: it is not part of the knowledge base."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from gfmd.lib.models import has_synthetic
from gfmd.models import Citation, SourceDocument

# model label -> the text field that must not be empty
SUMMARY_FIELDS = {
    "gfmd.organisation": "description",
    "gfmd.referenceddocument": "description",
    "roundtables.meeting": "summary",
    "roundtables.roundtable": "background",
    "roundtables.session": "summary",
    "roundtables.horizontalissue": "summary",
    "roundtables.topic": "summary",
    "roundtables.recommendation": "text",
    "roundtables.reportfinding": "summary",
    "roundtables.followup": "note",
    "practices.practice": "summary",
    "rcps.rcp": "narrative",
}
CITED = [*SUMMARY_FIELDS, "roundtables.participation"]


def real(model):
    """The model's records less synthetic ones, and less the citations of synthetic ones."""
    records = model._default_manager.all()
    if has_synthetic(model):
        return records.filter(synthetic=False)
    if model is Citation:
        for label in ("practices.practice", "roundtables.recommendation"):
            target = apps.get_model(label)
            records = records.exclude(
                content_type=ContentType.objects.get_for_model(target),
                object_id__in=target._default_manager.filter(synthetic=True).values("pk"),
            )
    return records


def gaps():
    """(label, record, what is missing) for every cited model."""
    for label in CITED:
        model = apps.get_model(label)
        content_type = ContentType.objects.get_for_model(model)
        cited = set(
            Citation.objects.filter(content_type=content_type).values_list("object_id", flat=True)
        )
        field = SUMMARY_FIELDS.get(label)
        for record in real(model):
            if record.pk not in cited:
                yield label, record, "no citation"
            if field and not getattr(record, field).strip():
                yield label, record, f"empty {field}"


def record_counts():
    """(model label, number of real records) for every model of the knowledge base's apps, less
    edit history."""
    for app in ("gfmd", "roundtables", "practices", "rcps"):
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name.startswith("historical"):
                continue  # edit history, not records
            yield model._meta.label_lower, real(model).count()


def merged_ranges(ranges) -> list[tuple[int, int]]:
    """Line ranges joined where they overlap or touch: [(3, 5), (5, 9), (12, 12)] -> [(3, 9),
    (12, 12)]."""
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def document_coverage():
    """Per source document, in the documents' order: (document, {model label: records citing
    it}, number of citations, the cited line ranges merged). Citations of synthetic records are
    left out."""
    citations = real(Citation).select_related("content_type")
    for document in SourceDocument.objects.all():
        records: dict[str, set[int]] = {}
        ranges = []
        count = 0
        for citation in citations.filter(document=document).only(
            "content_type", "object_id", "line_start", "line_end"
        ):
            label = f"{citation.content_type.app_label}.{citation.content_type.model}"
            records.setdefault(label, set()).add(citation.object_id)
            ranges.append((citation.line_start, citation.line_end))
            count += 1
        per_kind = {label: len(ids) for label, ids in sorted(records.items())}
        yield document, per_kind, count, merged_ranges(ranges)
