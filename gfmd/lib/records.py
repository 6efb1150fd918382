"""Fetching the records that generic relations point to, one query per kind of record."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType


def records_by_key(pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], object]:
    """{(content type id, object id): record} for the given pairs. Each kind is read once, with
    its foreign keys joined (a record's name or address may use them) and, where its queryset
    has `published()`, only its published records: an unpublished record is left out."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for content_type_id, object_id in pairs:
        wanted[content_type_id].add(object_id)
    found: dict[tuple[int, int], object] = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        queryset = model._default_manager.all()
        if hasattr(queryset, "published"):
            queryset = queryset.published()
        joined = [
            f.name
            for f in model._meta.concrete_fields
            if f.many_to_one and f.related_model is not ContentType
        ]
        for record in queryset.select_related(*joined).filter(pk__in=ids):
            found[(content_type_id, record.pk)] = record
    return found
