"""Writing synthetic rows in bulk, deleting them all, and refreshing the planner's statistics."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from gfmd.curation.synthetic.records import Batch
from gfmd.models import Citation
from practices.models import Practice
from roundtables.models import Participation, Recommendation

# The models synthesize writes, each with a `synthetic` flag.
SYNTHESIZED = (Practice, Recommendation, Participation)


def write_batch(model, batch: Batch, content_type: ContentType, size: int) -> None:
    with transaction.atomic():
        model.objects.bulk_create(batch.records, batch_size=size)
        for name, rows in batch.links.items():
            m2m = model._meta.get_field(name)
            through = m2m.remote_field.through
            source, target = m2m.m2m_field_name() + "_id", m2m.m2m_reverse_field_name() + "_id"
            through.objects.bulk_create(
                [
                    through(**{source: batch.records[index].pk, target: pk})
                    for index, ids in rows
                    for pk in ids
                ],
                batch_size=size * 4,
            )
        Citation.objects.bulk_create(
            [
                Citation(
                    content_type=content_type,
                    object_id=record.pk,
                    document_id=document,
                    locator=locator,
                    line_start=start,
                    line_end=end,
                    excerpt=excerpt,
                    order=order,
                )
                for record, cited in zip(batch.records, batch.citations, strict=True)
                for order, (document, locator, start, end, excerpt) in enumerate(cited)
            ],
            batch_size=size * 4,
        )


def synthetic_remove() -> dict[str, int]:
    """Delete every synthetic record with its links, citations and any history, in plain SQL:
    the ORM would load each record to send deletion signals and write history for it."""
    removed = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in SYNTHESIZED:
            table = model._meta.db_table
            ids = f"SELECT id FROM {table} WHERE synthetic"
            content_type = ContentType.objects.get_for_model(model)
            for citation_table in (Citation._meta.db_table, Citation.history.model._meta.db_table):
                cursor.execute(
                    f"DELETE FROM {citation_table} "
                    f"WHERE content_type_id = %s AND object_id IN ({ids})",
                    [content_type.pk],
                )
            for m2m in model._meta.many_to_many:
                through = m2m.remote_field.through._meta.db_table
                cursor.execute(f"DELETE FROM {through} WHERE {m2m.m2m_column_name()} IN ({ids})")
            cursor.execute(f"DELETE FROM {model.history.model._meta.db_table} WHERE synthetic")
            cursor.execute(f"DELETE FROM {table} WHERE synthetic")
            removed[model._meta.label_lower] = cursor.rowcount
    return removed


def analyze() -> None:
    """Fresh planner statistics (and, outside a transaction, a vacuumed visibility map for
    index-only scans): what follows measures the plans of a settled database, not of one whose
    tables the planner believes empty. VACUUM cannot run inside a transaction (a test)."""
    tables = [Citation._meta.db_table]
    for model in SYNTHESIZED:
        tables.append(model._meta.db_table)
        tables += [m2m.remote_field.through._meta.db_table for m2m in model._meta.many_to_many]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(tables)}")
