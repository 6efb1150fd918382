"""No lost updates: an edit made from an out-of-date copy of a record is refused, with what changed.

Every save of a versioned record increments `version` (gfmd.models.VersionedModel). An editor (the
admin form, an API client) sends back the version it started from; if the record has moved on since,
the save is refused and the message says who changed what, from the record's history.
"""

from __future__ import annotations

from dataclasses import dataclass


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
