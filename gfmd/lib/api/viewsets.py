"""The viewset bases of every API resource, and the write serializer that checks versions.

Pagination, filtering, content negotiation and permissions are configured once, in the
`REST_FRAMEWORK` setting; these classes add what settings cannot say."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers, viewsets
from rest_framework.exceptions import APIException

from gfmd.lib.api.history import HistoryViewSetMixin
from gfmd.lib.conflicts import find_conflict


class CSVWholeListMixin:
    """A CSV download holds every matching row, not one page."""

    @property
    def paginator(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        if renderer is not None and renderer.format == "csv":
            return None
        return super().paginator


# Detail keys are limited to the characters of a slug (PostgreSQL refuses text with a NUL byte).
SLUG_LOOKUP = "[-a-zA-Z0-9_]+"


class ReadOnlyViewSet(CSVWholeListMixin, viewsets.ReadOnlyModelViewSet):
    """A resource that is read, never written through the API."""

    lookup_value_regex = SLUG_LOOKUP


class CuratedViewSet(HistoryViewSetMixin, CSVWholeListMixin, viewsets.ModelViewSet):
    """Reads for everyone, writes for staff. `list_queryset()` and `detail_queryset()` are the
    models' own queryset methods, shared with the HTML pages."""

    lookup_value_regex = SLUG_LOOKUP
    list_serializer_class: type[serializers.Serializer]
    detail_serializer_class: type[serializers.Serializer]
    write_serializer_class: type[serializers.Serializer] | None = None

    def get_queryset(self):
        if self.action == "list":
            return self.list_queryset()
        return self.detail_queryset()

    def list_queryset(self):
        raise NotImplementedError

    def detail_queryset(self):
        return self.list_queryset()

    def get_serializer_class(self):
        if self.action in {"create", "update", "partial_update"} and self.write_serializer_class:
            return self.write_serializer_class
        if self.action == "list":
            return self.list_serializer_class
        return self.detail_serializer_class


class EditConflict(APIException):
    status_code = 409
    default_code = "conflict"
    default_detail = "The record changed since you read it."


class StrictModelSerializer(serializers.ModelSerializer):
    """Writes validated like the admin: the model's full_clean, constraints included; an update
    must send the `version` it read, and is refused with 409 if the record has changed since."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="On update: the version you read. A newer stored version refuses the write.",
    )

    def validate(self, attrs):
        loaded = attrs.pop("version", None)
        if self.instance is not None:
            if loaded is None:
                raise serializers.ValidationError(
                    {"version": ["Send the version you read, so no other edit is overwritten."]}
                )
            conflict = find_conflict(self.instance, loaded)
            if conflict:
                raise EditConflict(conflict.message)
        attrs = super().validate(attrs)
        many = {
            name: value
            for name, value in attrs.items()
            if isinstance(self.Meta.model._meta.get_field(name), models.ManyToManyField)
        }
        plain = {name: value for name, value in attrs.items() if name not in many}
        instance = self.instance or self.Meta.model()
        for name, value in plain.items():
            setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


def write_serializer_for(model: type[models.Model], exclude: tuple[str, ...] = ()):
    """A write serializer whose relations are given by their natural key when it is one field
    (a slug, or ISO alpha-3 for countries), else by slug."""
    relation_fields = {}
    names = []
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or field.auto_created or field.name in exclude:
            continue
        if not field.concrete and not field.many_to_many:
            continue
        names.append(field.name)
        if field.is_relation:
            related = field.related_model
            natural = getattr(related, "natural_key_fields", ("slug",))
            key = natural[0] if len(natural) == 1 else "slug"
            relation_fields[field.name] = serializers.SlugRelatedField(
                slug_field=key,
                queryset=related._default_manager.all(),
                many=field.many_to_many,
                required=not (field.blank or field.null),
                allow_null=bool(field.null),
            )
    meta = type("Meta", (), {"model": model, "fields": [*names, "version"]})
    return type(
        f"{model.__name__}WriteSerializer",
        (StrictModelSerializer,),
        {"Meta": meta, **relation_fields},
    )
