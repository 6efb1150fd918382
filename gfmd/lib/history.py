"""The whole state of a record in its history: fields, many-to-many relations and citations.

django-simple-history keeps a row per save with the record's own fields. Relations and citations
are saved after the record itself (the admin saves the form, then its many-to-many fields, then
the inline citations), so once a write is complete its history row is given a `relations`
snapshot: the primary keys of every many-to-many relation and the fields of every citation. With
it, a version can be compared with another, reverted to, and a deleted record restored, each as a
new version with a history row of its own.

Every write path calls `record_snapshot()` when it is done: the admin, the API, revert, restore
and the curated-data loader.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gfmd.lib.conflicts import Conflict, find_conflict

REASON_MAX_LENGTH = 100  # django-simple-history's history_change_reason column
CITATION_KEY_FIELDS = ("content_type", "object_id", "id")


class RelationsSnapshot(models.Model):
    """Base of every history model: the relations and citations as they were after the write."""

    relations = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="Many-to-many primary keys and citations after this write (null: not recorded).",
    )

    class Meta:
        abstract = True


class RevertRefused(Exception):
    """A revert or restore that cannot be done; the message says why, for the curator."""

    def __init__(self, message: str, conflict: Conflict | None = None):
        super().__init__(message)
        self.conflict = conflict


def _citations(instance):
    relation = getattr(instance, "citations", None)
    return relation if isinstance(relation, models.Manager) else None


def _citation_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in CITATION_KEY_FIELDS]


def relations_of(instance) -> dict:
    """The current many-to-many primary keys and citations of `instance`, as JSON data."""
    data: dict = {}
    for field in instance._meta.many_to_many:
        data[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    citations = _citations(instance)
    if citations is not None:
        fields = _citation_fields(citations.model)
        data["citations"] = [
            {f.attname: getattr(c, f.attname) for f in fields}
            for c in citations.order_by("order", "line_start", "pk")
        ]
    return data


def latest_row(instance):
    return instance.history.order_by("-history_date", "-history_id").first()


def record_snapshot(instance, *, reason: str | None = None, user=None, relations=None) -> None:
    """Complete the latest history row of `instance` once its write is done: its relations and
    citations, and (when given) the reason and the user, which API writes only know here."""
    row = latest_row(instance)
    if row is None:
        return
    update: dict = {"relations": relations_of(instance) if relations is None else relations}
    if reason:
        update["history_change_reason"] = reason[:REASON_MAX_LENGTH]
    if user is not None and getattr(user, "is_authenticated", False):
        update["history_user"] = user
    type(row)._default_manager.filter(history_id=row.history_id).update(**update)


def snapshot_before(row):
    """The relations of a history row, or of the nearest earlier row that recorded them."""
    if row.relations is not None:
        return row.relations
    earlier = (
        type(row)
        ._default_manager.filter(id=row.id, history_date__lt=row.history_date)
        .exclude(relations=None)
        .order_by("-history_date", "-history_id")
        .first()
    )
    return earlier.relations if earlier is not None else None


def _restore_fields(instance, row) -> None:
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.generated or field.name == "version":
            continue
        if hasattr(row, field.attname):
            setattr(instance, field.attname, getattr(row, field.attname))


def _restore_relations(instance, relations: dict) -> list[str]:
    """Set relations and citations as `relations` gives them; what no longer exists is named."""
    missing: list[str] = []
    for field in instance._meta.many_to_many:
        if field.name not in relations:
            continue
        wanted = set(relations[field.name])
        found = set(
            field.related_model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True)
        )
        if wanted - found:
            missing.append(f"{field.verbose_name}: {len(wanted - found)} no longer exist")
        getattr(instance, field.name).set(found)
    citations = _citations(instance)
    if citations is not None and "citations" in relations:
        fields = _citation_fields(citations.model)
        wanted = [tuple(item.get(f.attname) for f in fields) for item in relations["citations"]]
        for citation in citations.all():
            key = tuple(getattr(citation, f.attname) for f in fields)
            if key in wanted:
                wanted.remove(key)  # kept as it is
            else:
                citation.delete()
        for key in wanted:
            citations.create(**{f.attname: value for f, value in zip(fields, key, strict=True)})
    return missing


def _validated_save(instance, user, reason: str) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise RevertRefused(f"The old version is not valid today ({problems}).") from None
    instance._history_user = user
    instance._change_reason = reason[:REASON_MAX_LENGTH]
    instance.save()


@dataclass(frozen=True)
class Outcome:
    instance: models.Model
    missing: list[str]


def target_row(model, pk, version: int):
    """The history row of version `version` of record `pk` (its last save, not a deletion)."""
    return (
        model.history.filter(id=pk, version=version)
        .exclude(history_type="-")
        .order_by("-history_date", "-history_id")
        .first()
    )


@transaction.atomic
def revert_record(
    model, pk, *, to_version: int, loaded_version: int | None, user, reason: str = ""
) -> Outcome:
    """Make version `to_version` of the record current again, as a new version.

    `loaded_version` is the version the curator was looking at when asking for the revert: if
    someone else saved the record since, the revert is refused with what they changed."""
    instance = model._default_manager.select_for_update().filter(pk=pk).first()
    if instance is None:
        raise RevertRefused("This record does not exist (it may have been deleted).")
    if loaded_version is None:
        raise RevertRefused("Say which version you are reverting from (the current version).")
    conflict = find_conflict(instance, loaded_version)
    if conflict:
        raise RevertRefused(conflict.message, conflict)
    row = target_row(model, pk, to_version)
    if row is None:
        raise RevertRefused(f"This record has no version {to_version}.")
    if to_version == instance.version:
        raise RevertRefused(f"Version {to_version} is the current version: nothing to revert.")
    # Where the record stands in review (gfmd.lib.review) is not content: a revert keeps it, so
    # that reverting to a published version publishes nothing without a second curator.
    review_field = getattr(model, "review_field", None)
    kept = getattr(instance, review_field) if review_field else None
    _restore_fields(instance, row)
    if review_field:
        setattr(instance, review_field, kept)
    _validated_save(instance, user, reason or f"Reverted to version {to_version}")
    relations = snapshot_before(row)
    missing = _restore_relations(instance, relations) if relations is not None else []
    record_snapshot(instance)
    return Outcome(instance, missing)


def deleted_rows(model):
    """The deletion rows of records that do not exist now, newest first."""
    existing = model._default_manager.values("pk")
    return (
        model.history.filter(history_type="-")
        .exclude(id__in=existing)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


@transaction.atomic
def delete_record(instance, *, user, reason: str = "") -> None:
    """Delete a record, keeping its relations and citations in the deletion's history row."""
    relations = relations_of(instance)
    instance._history_user = user
    instance._change_reason = (reason or "Deleted")[:REASON_MAX_LENGTH]
    pk = instance.pk
    instance.delete()
    row = type(instance).history.filter(id=pk, history_type="-").order_by("-history_date").first()
    if row is not None:
        type(row)._default_manager.filter(history_id=row.history_id).update(relations=relations)


@transaction.atomic
def restore_record(model, history_id: int, *, user, reason: str = "") -> Outcome:
    """Bring a deleted record back from its deletion row, with its relations and citations."""
    row = model.history.filter(history_id=history_id, history_type="-").first()
    if row is None:
        raise RevertRefused("No deleted record has this history entry.")
    if model._default_manager.filter(pk=row.id).exists():
        raise RevertRefused("This record exists already: it was restored or made again.")
    instance = model(pk=row.id)
    _restore_fields(instance, row)
    instance.version = row.version + 1
    _validated_save(instance, user, reason or f"Restored (deleted at version {row.version})")
    relations = snapshot_before(row)
    missing = _restore_relations(instance, relations) if relations is not None else []
    record_snapshot(instance)
    return Outcome(instance, missing)


def relation_changes(model, old: dict | None, new: dict | None) -> list[dict]:
    """Readable differences between two snapshots: {field, old, new} per relation that changed,
    related records named by their str() (one query per relation that changed)."""
    if old is None or new is None:
        return []
    changes = []
    for field in model._meta.many_to_many:
        before, after = set(old.get(field.name, [])), set(new.get(field.name, []))
        if before == after:
            continue
        names = {
            obj.pk: str(obj)
            for obj in field.related_model._default_manager.filter(pk__in=before | after)
        }

        def label(pks, names=names):
            return ", ".join(sorted(names.get(pk, f"#{pk} (deleted)") for pk in pks)) or "none"

        changes.append(
            {
                "field": str(field.verbose_name),
                "old": f"removed {label(before - after)}" if before - after else "",
                "new": f"added {label(after - before)}" if after - before else "",
            }
        )
    before_c = [_citation_label(c) for c in old.get("citations", [])]
    after_c = [_citation_label(c) for c in new.get("citations", [])]
    if before_c != after_c:
        removed = [c for c in before_c if c not in after_c]
        added = [c for c in after_c if c not in before_c]
        changes.append(
            {
                "field": "citations",
                "old": ("removed " + "; ".join(removed)) if removed else "",
                "new": ("added " + "; ".join(added)) if added else "(order changed)",
            }
        )
    return changes


def _citation_label(item: dict) -> str:
    start, end = item.get("line_start"), item.get("line_end")
    lines = f"line {start}" if start == end else f"lines {start}-{end}"
    excerpt = (item.get("excerpt") or "")[:60]
    return f"{item.get('locator', '')}, {lines}: “{excerpt}”"


def public_changes(instance, limit: int = 5) -> list[dict]:
    """The latest changes of a record for its public page: when, what kind, and the reason;
    who made them stays private (one query)."""
    kinds = {
        "+": pgettext_lazy("record change", "Added"),
        "~": pgettext_lazy("record change", "Changed"),
        "-": pgettext_lazy("record change", "Deleted"),
    }
    rows = instance.history.order_by("-history_date", "-history_id").values(
        "history_date", "history_type", "history_change_reason", "history_user_id", "version"
    )[:limit]
    return [
        {
            "date": row["history_date"],
            "kind": kinds.get(row["history_type"], kinds["~"]),
            "version": row["version"],
            "who": _("a curator") if row["history_user_id"] else _("the curated data files"),
            "reason": row["history_change_reason"] or "",
        }
        for row in rows
    ]
