"""The viewset bases of every API resource, and the write serializer that checks versions.

Pagination, filtering, content negotiation and permissions are configured once, in the
`REST_FRAMEWORK` setting; these classes add what settings cannot say."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, router, transaction
from rest_framework import serializers, viewsets
from rest_framework.exceptions import APIException

from gfmd.lib.api.history import HistoryViewSetMixin
from gfmd.lib.api.strict import StrictParametersMixin
from gfmd.lib.conflicts import EditConflictError, MissingVersionError, check_locked
from gfmd.lib.review import Status, is_reviewed, published


class CSVWholeListMixin:
    """A CSV download holds every matching row, not one page."""

    def wants_csv(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format == "csv"

    @property
    def paginator(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        if renderer is not None and renderer.format == "csv":
            return None
        return super().paginator


# Detail keys are limited to the characters of a slug (PostgreSQL refuses text with a NUL byte).
SLUG_LOOKUP = "[-a-zA-Z0-9_]+"


class ReadOnlyViewSet(StrictParametersMixin, CSVWholeListMixin, viewsets.ReadOnlyModelViewSet):
    """A resource that is read, never written through the API."""

    lookup_value_regex = SLUG_LOOKUP


class CuratedViewSet(
    StrictParametersMixin, HistoryViewSetMixin, CSVWholeListMixin, viewsets.ModelViewSet
):
    """Reads for everyone, writes for staff with the model's permissions. `list_queryset()` and
    `detail_queryset()` are the models' own queryset methods, shared with the HTML pages; the
    public reads them through `published()` (drafts only reach staff, by URL).

    Every write is one transaction: the record, its relations and its history commit together
    or not at all. An update or delete locks the record's row before reading it, so the version
    check and the write see the same stored record (gfmd.lib.conflicts)."""

    lookup_value_regex = SLUG_LOOKUP
    list_serializer_class: type[serializers.Serializer]
    detail_serializer_class: type[serializers.Serializer]
    write_serializer_class: type[serializers.Serializer] | None = None

    def get_queryset(self):
        if self.action == "list":
            return published(self.list_queryset())
        if self.for_staff():
            return self.staff_detail_queryset()
        return published(self.detail_queryset())

    def for_staff(self) -> bool:
        user = getattr(self.request, "user", None)
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)

    def list_queryset(self):
        raise NotImplementedError

    def detail_queryset(self):
        return self.list_queryset()

    def staff_detail_queryset(self):
        """What staff reach by URL: drafts and unpublished records too, so that they can read,
        change and delete them through the API as in the admin."""
        return self.detail_queryset()

    def write_atomically(self, method, request, *args, **kwargs):
        model = self.get_queryset().model
        with transaction.atomic(using=router.db_for_write(model)):
            return method(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        return self.write_atomically(super().create, request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        return self.write_atomically(super().update, request, *args, **kwargs)

    def perform_create(self, serializer):
        model = serializer.Meta.model
        if is_reviewed(model):  # a curator's new record is a draft (gfmd.lib.review)
            serializer.validated_data[model.review_field] = Status.DRAFT
        super().perform_create(serializer)

    def destroy(self, request, *args, **kwargs):
        return self.write_atomically(super().destroy, request, *args, **kwargs)

    def get_object(self):
        if self.action in {"update", "partial_update", "destroy"}:
            # Lock first, then read: the instance is the stored record as of the lock, so a
            # concurrent edit of other fields is neither overwritten nor missed.
            model = self.get_queryset().model
            value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
            rows = model._default_manager.select_for_update(of=("self",)).filter(
                **{self.lookup_field: value}
            )
            list(rows.values_list("pk", flat=True))
        return super().get_object()

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
        self.loaded_version = attrs.pop("version", None)
        if self.instance is not None:
            self.check_version()
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

    def check_version(self) -> None:
        """Lock the record's row (the viewset's transaction holds it until the write commits)
        and refuse the update unless the stored version is the one the client read."""
        try:
            check_locked(self.instance, self.loaded_version)
        except MissingVersionError as exc:
            raise serializers.ValidationError({"version": [exc.message]}) from None
        except EditConflictError as exc:
            raise EditConflict(exc.conflict.message) from None

    def update(self, instance, validated_data):
        self.check_version()  # again, in case validation ran outside the write's transaction
        return super().update(instance, validated_data)


class KeyRelatedField(serializers.SlugRelatedField):
    """A relation given by its key; a value that cannot be a key (a NUL byte, which PostgreSQL
    refuses in text, or an overlong string) is refused by name, like an unknown one."""

    default_error_messages = {
        "not_a_key": "Not a valid key: {value!r} cannot name a {model}.",
    }
    max_key_length = 200

    def to_internal_value(self, data):
        if isinstance(data, str) and ("\x00" in data or len(data) > self.max_key_length):
            model = self.get_queryset().model._meta.verbose_name
            self.fail("not_a_key", value=data[:40], model=model)
        return super().to_internal_value(data)


def write_serializer_for(
    model: type[models.Model], exclude: tuple[str, ...] = (), renamed: dict[str, str] | None = None
):
    """A write serializer whose relations are given by their natural key when it is one field
    (a slug, or ISO alpha-3 for countries), else by slug. `renamed` maps a model field to the
    name the API gives it (as the read serializer does)."""
    renamed = renamed or {}
    if is_reviewed(model):  # the status changes only through review (gfmd.lib.review)
        exclude = (*exclude, model.review_field)
    relation_fields = {}
    names = []
    for field in model._meta.get_fields():
        if not getattr(field, "editable", False) or field.auto_created or field.name in exclude:
            continue
        if not field.concrete and not field.many_to_many:
            continue
        if field.name in renamed:
            names.append(renamed[field.name])
            relation_fields[renamed[field.name]] = serializers.ModelField(
                model_field=field, source=field.name, required=not field.blank
            )
            continue
        names.append(field.name)
        if field.is_relation:
            related = field.related_model
            natural = getattr(related, "natural_key_fields", ("slug",))
            key = natural[0] if len(natural) == 1 else "slug"
            relation_fields[field.name] = KeyRelatedField(
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
