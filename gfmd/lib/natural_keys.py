"""Natural keys made of named fields.

Each curated model lists the fields that identify it (`natural_key_fields`); foreign keys among
them are written as the related record's own natural key. The same description serves Django's
serialisers (`natural_key()`, `get_by_natural_key()`) and the curated-data loader.
"""

from __future__ import annotations

from django.db import models


def _flatten(value):
    if isinstance(value, models.Model):
        key = value.natural_key()
        return key[0] if len(key) == 1 else list(key)
    return value


class NaturalKeyQuerySet(models.QuerySet):
    def get_by_natural_key(self, *values):
        model = self.model
        lookup = {}
        for name, value in zip(model.natural_key_fields, values, strict=True):
            field = model._meta.get_field(name)
            if field.is_relation and value is not None:
                related = field.related_model
                args = value if isinstance(value, (list, tuple)) else [value]
                value = related._default_manager.get_by_natural_key(*args)
            lookup[name] = value
        return self.get(**lookup)


class NaturalKeyModel(models.Model):
    natural_key_fields: tuple[str, ...] = ("slug",)

    class Meta:
        abstract = True

    def natural_key(self):
        return tuple(_flatten(getattr(self, name)) for name in self.natural_key_fields)
