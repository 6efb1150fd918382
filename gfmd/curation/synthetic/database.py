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


def _columns(model) -> list:
    """The fields a row is written with: all but the generated ones (the search vector), which
    PostgreSQL computes as the row arrives."""
    return [f for f in model._meta.concrete_fields if not f.generated]


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def write_batch(cursor, model, batch: Batch, content_type: ContentType) -> None:
    """Writes a batch with COPY: its records under primary keys taken from the table's sequence,
    then their links and citations. No model instance is saved, so no signal or history runs,
    which generated data needs none of."""
    table = model._meta.db_table
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, len(batch.records)],
    )
    for record, (pk,) in zip(batch.records, cursor.fetchall(), strict=True):
        record.pk = pk
    fields = _columns(model)
    _copy(
        cursor,
        table,
        [f.column for f in fields],
        ([getattr(record, f.attname) for f in fields] for record in batch.records),
    )
    for name, rows in batch.links.items():
        m2m = model._meta.get_field(name)
        _copy(
            cursor,
            m2m.remote_field.through._meta.db_table,
            [m2m.m2m_column_name(), m2m.m2m_reverse_name()],
            ((batch.records[index].pk, pk) for index, ids in rows for pk in ids),
        )
    citation = Citation._meta
    _copy(
        cursor,
        citation.db_table,
        [
            citation.get_field(name).column
            for name in (
                "content_type",
                "object_id",
                "document",
                "locator",
                "line_start",
                "line_end",
                "excerpt",
                "order",
                "problem",
            )
        ],  # fmt: skip
        (
            (content_type.pk, record.pk, document, locator, start, end, excerpt, order, "")
            for record, cited in zip(batch.records, batch.citations, strict=True)
            for order, (document, locator, start, end, excerpt) in enumerate(cited)
        ),
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
