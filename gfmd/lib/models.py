"""Abstract base models and model helpers shared by every app: versioned records with history."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from gfmd.lib.history import RelationsSnapshot
from gfmd.lib.natural_keys import NaturalKeyModel


def has_synthetic(model) -> bool:
    """Whether `model` can hold generated benchmark rows (`manage.py synthesize`)."""
    return any(f.name == "synthetic" for f in model._meta.concrete_fields)


def related_model(model, name: str):
    """The model at the other end of `model`'s relation `name` (forward or reverse), so that a
    queryset can prefetch across apps without importing the other app's models."""
    return model._meta.get_field(name).related_model


class TransactionId(models.Func):
    """PostgreSQL's id of the current transaction (64 bits, never reused)."""

    template = "txid_current()"
    output_field = models.BigIntegerField()


class TrackedHistory(HistoricalRecords):
    """History of every stored field except the search vector, which PostgreSQL derives, with the
    relations and citations of each version (gfmd.lib.history); each historical row also keeps
    the id of the transaction that wrote it (`history_txid`, set by the database), which
    `gfmd.lib.data_version` maps to the data version its commit made."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("bases", [RelationsSnapshot])
        super().__init__(*args, **kwargs)

    def fields_included(self, model):
        return [f for f in super().fields_included(model) if not f.generated]

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        extra["history_txid"] = models.BigIntegerField(
            db_default=TransactionId(), editable=False, null=True, db_index=True
        )
        return extra


class VersionedModel(NaturalKeyModel):
    """A record whose every save is kept in its history and counted in `version`, so that an edit
    made from an out-of-date copy can be refused instead of silently overwriting another."""

    version = models.PositiveIntegerField(default=1, editable=False)
    history = TrackedHistory(inherit=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)
