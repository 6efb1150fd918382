"""What the knowledge base holds, and what its records lack: counts per kind and the records with
no citation or an empty summary. Generated benchmark data (`manage.py synthesize`) is left out:
it is not part of the knowledge base."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from gfmd.lib.models import has_synthetic
from gfmd.models import Citation

# model label -> the text field that must not be empty
SUMMARY_FIELDS = {
    "roundtables.meeting": "summary",
    "roundtables.roundtable": "background",
    "roundtables.session": "summary",
    "roundtables.horizontalissue": "summary",
    "roundtables.topic": "summary",
    "roundtables.recommendation": "text",
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
