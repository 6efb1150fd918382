"""The knowledge base as a Frictionless Data Package (`manage.py export_datapackage DIR`): one
CSV per table of public records and per many-to-many link, plus the citations, with Table
Schemas whose foreign keys join them, the licence, the source documents and the data version."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from gfmd.lib import data_version
from gfmd.lib.datapackage import Column, Table, field_column, write_package
from gfmd.lib.review import is_reviewed, published
from gfmd.models import Citation, Country, Organisation, ReferencedDocument, SourceDocument
from practices.models import Practice, Theme
from rcps.models import RCP
from roundtables.findings import FollowUp, ReportFinding
from roundtables.models import (
    Actor,
    HorizontalIssue,
    Meeting,
    Participation,
    Recommendation,
    Roundtable,
    Session,
    Topic,
)

# resource name, model, the public records (published ones: gfmd.lib.review)
RESOURCES = (
    ("countries", Country, lambda: Country.objects.all()),
    ("organisations", Organisation, lambda: Organisation.objects.published()),
    ("sources", SourceDocument, lambda: SourceDocument.objects.all()),
    ("referenced_documents", ReferencedDocument, lambda: ReferencedDocument.objects.all()),
    ("report_findings", ReportFinding, lambda: ReportFinding.objects.all()),
    ("themes", Theme, lambda: Theme.objects.published()),
    ("meetings", Meeting, lambda: Meeting.objects.published()),
    ("roundtables", Roundtable, lambda: Roundtable.objects.published()),
    ("sessions", Session, lambda: Session.objects.published()),
    ("horizontal_issues", HorizontalIssue, lambda: HorizontalIssue.objects.published()),
    ("topics", Topic, lambda: Topic.objects.published()),
    ("actors", Actor, lambda: Actor.objects.all()),
    ("participations", Participation, lambda: Participation.objects.published()),
    ("recommendations", Recommendation, lambda: Recommendation.objects.published()),
    (
        "follow_ups",
        FollowUp,
        lambda: FollowUp.objects.filter(
            recommendation__in=Recommendation.objects.published()
        ).select_related("recommendation"),
    ),
    ("practices", Practice, lambda: Practice.objects.published()),
    ("rcps", RCP, lambda: RCP.objects.published()),
)
NAMES = {model: name for name, model, _ in RESOURCES}
SKIPPED = {"id", "synthetic", "published"}
# Every record exported is published: its review status says nothing more (skipped in
# model_table). A source's file name and ingest bookkeeping are never public.
SKIPPED_OF = {
    (SourceDocument, "seed_file"),
    (SourceDocument, "text_sha256"),
    (SourceDocument, "ingested_at"),
}
# Named as the API names them: a practice's `results` are its `outcomes`.
RENAMED = {(Practice, "results"): "outcomes"}

LICENCE = {
    "name": "MIT",
    "title": "MIT License, the project's licence, which covers its curated records",
    "path": "https://opensource.org/licenses/MIT",
}


# Of the records without a slug: their key column, made from their natural key.
KEY_COLUMNS = {
    Participation: (
        lambda p: p.key,
        "Stable key: <session, roundtable or meeting slug>/<role>/<name slug>, or "
        "<meeting slug>/<part slug>/<role>/<name slug> for a part of a meeting.",
    ),
    FollowUp: (
        lambda f: f"{f.recommendation.slug}/{f.as_of.isoformat()}",
        "Stable key: <recommendation slug>/<as_of>, its recommendation and the date of the "
        "document that reports it.",
    ),
}


def key_of(model) -> str:
    """The column that identifies a record of `model` in the package."""
    if model is Country:
        return "iso3"
    if model in KEY_COLUMNS:
        return "key"
    return "slug"


def record_key(model, record) -> str:
    """The value of `key_of(model)` of `record`."""
    if model in KEY_COLUMNS:
        return KEY_COLUMNS[model][0](record)
    return getattr(record, key_of(model))


def _related_key(record, name: str, key: str):
    related = getattr(record, name)
    return getattr(related, key) if related is not None else None


def model_table(name: str, model, queryset) -> tuple[Table, list[Table]]:
    """The table of `model` (its stored fields, foreign keys as the related record's key) and
    a link table for each of its many-to-many relations."""
    columns = []
    if model in KEY_COLUMNS:
        value, description = KEY_COLUMNS[model]
        columns.append(Column("key", "string", value, description, required=True))
    relations = []
    for model_field in model._meta.concrete_fields:
        if model_field.name in SKIPPED or (model, model_field.name) in SKIPPED_OF:
            continue
        if is_reviewed(model) and model_field.name == model.review_field:
            continue
        if getattr(model_field, "generated", False):
            continue
        if model_field.is_relation:
            related = model_field.related_model
            if related not in NAMES:
                continue
            key = key_of(related)
            relations.append(model_field.name)
            columns.append(
                Column(
                    model_field.name,
                    "string",
                    lambda r, n=model_field.name, k=key: _related_key(r, n, k),
                    f"The {related._meta.verbose_name}'s {key}.",
                    required=not model_field.null,
                    references=(NAMES[related], key),
                )
            )
        else:
            columns.append(field_column(model_field, RENAMED.get((model, model_field.name))))
    own_key = key_of(model)
    # The key first, as a reader expects.
    columns.sort(key=lambda column: column.name != own_key)
    table = Table(
        name,
        str(model.__doc__ or name).strip().split("\n\n")[0].replace("\n", " "),
        lambda: (
            queryset().select_related(*relations).order_by(own_key if own_key != "key" else "pk")
        ),
        columns,
        primary_key=[own_key],
    )
    links = []
    for m2m in model._meta.many_to_many:
        related = m2m.related_model
        if related not in NAMES:
            continue
        through = m2m.remote_field.through
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        singular = model._meta.model_name
        other = f"{related._meta.model_name}" if related is not model else f"{m2m.name}_of"
        related_key = key_of(related)
        links.append(
            Table(
                f"{name}_{m2m.name}",
                f"Which {related._meta.verbose_name_plural} each {singular} links ({m2m.name}).",
                # both ends public: a link to a draft is not exported
                lambda t=through, s=source, g=target, q=queryset, r=related: (
                    t.objects.filter(
                        **{f"{s}__in": q(), f"{g}__in": published(r._default_manager.all())}
                    )
                    .select_related(s, g)
                    .order_by(f"{s}_id", f"{g}_id")
                ),
                [
                    Column(
                        singular,
                        "string",
                        lambda row, s=source, k=own_key: getattr(getattr(row, s), k),
                        required=True,
                        references=(name, own_key),
                    ),
                    Column(
                        other,
                        "string",
                        lambda row, g=target, k=related_key: getattr(getattr(row, g), k),
                        required=True,
                        references=(NAMES[related], related_key),
                    ),
                ],
                primary_key=[singular, other],
            )
        )
    return table, links


def citation_table(exported: dict) -> Table:
    """Where each exported record's words are in its source: record kind and key, document,
    passage and its place, section, lines and excerpt."""
    types = {ContentType.objects.get_for_model(model).pk: model for model in exported}

    def rows():
        keys = {}
        for model, queryset in exported.items():
            keys[model] = {r.pk: record_key(model, r) for r in queryset()}
        citations = Citation.objects.filter(content_type__in=list(types)).select_related(
            "document", "passage"
        )
        for citation in citations.order_by("content_type", "object_id", "order", "line_start"):
            model = types[citation.content_type_id]
            key = keys[model].get(citation.object_id)
            if key is not None:
                citation.record_kind, citation.record_key = NAMES[model], key
                yield citation

    def text(name):
        return lambda c: getattr(c, name)

    return Table(
        "citations",
        "Where each record's words are in its source document.",
        rows,
        [
            Column("record_kind", "string", text("record_kind"), "The table of the record.", True),
            Column("record_key", "string", text("record_key"), "The record's key there.", True),
            Column(
                "document",
                "string",
                lambda c: c.document.slug,
                "The source document's slug.",
                required=True,
                references=("sources", "slug"),
            ),
            Column(
                "passage",
                "string",
                lambda c: c.passage.anchor if c.passage_id else None,
                "Anchor of the passage quoted (its place in the document's reader).",
            ),
            Column(
                "place",
                "string",
                text("place"),
                "Paragraph number, page or lines of the passage quoted.",
            ),
            Column("locator", "string", text("locator"), "Section of the document."),
            Column("line_start", "integer", text("line_start"), "First line cited."),
            Column("line_end", "integer", text("line_end"), "Last line cited."),
            Column("excerpt", "string", text("excerpt"), "A short verbatim excerpt.", True),
        ],
    )


def export_datapackage(directory: Path) -> Path:
    """Write the package to `directory`; the path of its `datapackage.json`."""
    tables = []
    exported = {}
    for name, model, queryset in RESOURCES:
        table, links = model_table(name, model, queryset)
        tables += [table, *links]
        exported[model] = queryset
    tables.append(citation_table(exported))
    version = data_version.current()
    sources = [
        {"title": ", ".join(p for p in (d.title, d.symbol, d.publisher, str(d.year or "")) if p)}
        for d in SourceDocument.objects.all()
    ]
    descriptor = {
        "name": "gfmd-practices",
        "title": "GFMD Practices: the knowledge base of the Global Forum on Migration and "
        "Development's first meeting and related UN documents",
        "description": "Meetings, roundtables, sessions, participations, recommendations and "
        "their follow-up, good practices, RCP profiles, the findings of reports and the "
        "documents the sources name, each cited to the lines of its source document.",
        "version": str(version or 0),
        "data_version": version,
        "created": timezone.now().isoformat(),
        "homepage": getattr(settings, "GFMD_HOMEPAGE", ""),
        "licenses": [LICENCE],
        "sources": sources,
    }
    if not descriptor["homepage"]:
        del descriptor["homepage"]
    return write_package(directory, tables, descriptor)
