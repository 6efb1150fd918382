"""No lost updates: an edit made from an out-of-date copy of a record is refused, with what changed.

Every save of a versioned record increments `version` (gfmd.models.VersionedModel). An editor (the
admin form, an API client) sends back the version it started from; if the record has moved on since,
the save is refused and the message says who changed what, from the record's history.

The comparison and the write are one step: `lock_current()` locks the stored row (SELECT ... FOR
UPDATE) inside the write's transaction, so a second editor holding the same version waits for the
first to commit, then reads the new version and is refused. `save_checked()` does the whole of it
for one record; the admin and the API lock at the start of their own transaction instead, so that
relations, citations and history are written under the same lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import router, transaction


@dataclass(frozen=True)
class Conflict:
    loaded: int
    current: int
    changed_fields: list[str]
    changed_by: str
    changed_at: str

    @property
    def message(self) -> str:
        fields = ", ".join(self.changed_fields) or "no visible field"
        return (
            f"This record was changed by {self.changed_by} at {self.changed_at} while you were "
            f"editing it (version {self.loaded} is now {self.current}; changed: {fields}). Nothing "
            "was overwritten and your edit was not saved: reload the record, then apply your "
            "changes again."
        )


class EditConflictError(Exception):
    """A write refused because the record changed since the editor loaded it."""

    def __init__(self, conflict: Conflict) -> None:
        super().__init__(conflict.message)
        self.conflict = conflict


class MissingVersionError(Exception):
    """An update that did not say which version it was made from."""

    message = "Send the version you read, so that no other edit is overwritten."

    def __init__(self) -> None:
        super().__init__(self.message)


def lock_current(model, pk) -> int | None:
    """Lock the stored row of `model` with primary key `pk` until the end of the current
    transaction, and return its version (None if there is no such row). The lock is what makes
    the check and the write one step, so call it inside the write's `transaction.atomic()`;
    outside one the version is read without a lock (there would be nothing to hold it)."""
    using = router.db_for_write(model)
    rows = model._default_manager.db_manager(using).filter(pk=pk)
    if transaction.get_connection(using).in_atomic_block:
        rows = rows.select_for_update(of=("self",))
    return rows.values_list("version", flat=True).first()


def check_locked(instance, loaded_version: int | None) -> None:
    """Lock `instance`'s row and refuse the write if its version is not `loaded_version`.

    On success the instance carries the stored version, so its save stores exactly the next
    one: a version never goes backwards, whatever copy the instance was read from."""
    if instance.pk is None or instance._state.adding:
        return
    if loaded_version is None:
        raise MissingVersionError
    current = lock_current(type(instance), instance.pk)
    if current is None:
        return
    if current != loaded_version:
        raise EditConflictError(describe_conflict(instance, loaded_version, current))
    instance.version = current


def save_checked(
    instance, loaded_version: int | None, write: Callable[[], object] | None = None
) -> None:
    """Save `instance` if, and only if, its stored version is still `loaded_version`: the check,
    the save and `write` (relations, citations: whatever else belongs to the edit) commit
    together or not at all. Raises EditConflictError or MissingVersionError."""
    using = router.db_for_write(type(instance))
    with transaction.atomic(using=using):
        check_locked(instance, loaded_version)
        instance.save()
        if write is not None:
            write()


def find_conflict(instance, loaded_version: int | None) -> Conflict | None:
    """The conflict between the version an editor loaded and the stored record, if any."""
    if loaded_version is None or instance.pk is None:
        return None
    model = type(instance)
    current = (
        model._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
    )
    if current is None or current == loaded_version:
        return None
    return describe_conflict(instance, loaded_version, current)


def describe_conflict(instance, loaded_version: int, current: int) -> Conflict:
    """Who changed what between `loaded_version` and `current`, from the record's history."""
    model = type(instance)
    history = instance.history.order_by("-history_date", "-history_id")
    latest = history.first()
    old = history.filter(version=loaded_version).first()
    changed: list[str] = []
    if latest is not None and old is not None:
        delta = latest.diff_against(old, excluded_fields=["version"])
        changed = [model._meta.get_field(c.field).verbose_name for c in delta.changes]
    who = "another curator"
    when = "an unknown time"
    if latest is not None:
        if latest.history_user is not None:
            who = latest.history_user.get_username()
        when = latest.history_date.strftime("%Y-%m-%d %H:%M UTC")
    return Conflict(loaded_version, current, [str(name) for name in changed], who, when)
