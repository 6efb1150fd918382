"""Filter building blocks shared by the HTML lists and the API (one FilterSet per list)."""

from __future__ import annotations

from functools import cache

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import DataError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field


class SearchFilter(django_filters.CharFilter):
    """`q`: full-text search through the queryset's own `search()` method."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        return qs.search(value) if value else qs


class KeyMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """A multiple choice of records by key whose error says which values are unknown and what a
    valid value looks like."""

    def __init__(self, *args, example: str = "", normalise=None, alternatives=None, **kwargs):
        """`alternatives(value)` may give another lookup for a value (a slug, a qualified code):
        a dict of field lookups, or None for the key itself."""
        self.example = example
        self.normalise = normalise
        self.alternatives = alternatives
        super().__init__(*args, **kwargs)

    def _lookup(self, value) -> dict:
        return (self.alternatives and self.alternatives(str(value))) or {self.to_field_name: value}

    def _exists(self, value) -> bool:
        try:
            return self.queryset.filter(**self._lookup(value)).exists()
        except (ValueError, TypeError, DataError):
            return False

    def _unknown(self, values) -> list:
        """The values no record has, found in one query whatever their number."""
        if self.alternatives:
            return [v for v in values if not self._exists(v)]
        key = self.to_field_name or "pk"
        try:
            rows = self.queryset.filter(**{f"{key}__in": list(values)})
            found = {str(v) for v in rows.values_list(key, flat=True)}
        except (ValueError, TypeError, DataError):
            return [v for v in values if not self._exists(v)]
        return [v for v in values if str(v) not in found]

    def _check_values(self, value):
        if not self.alternatives:
            return super()._check_values(value)
        # One query a value (a filter takes a few): each may be a key or an alternative.
        records = {}
        for item in dict.fromkeys(value):
            try:
                found = list(self.queryset.filter(**self._lookup(item)))
            except (ValueError, TypeError, DataError):
                found = []
            if not found:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
            records.update((record.pk, record) for record in found)
        # The records themselves, as one query each found them (a queryset would be a query more).
        return list(records.values())

    def clean(self, value):
        if value and self.normalise:
            value = [self.normalise(v) for v in value]
        try:
            return super().clean(value)
        except ValidationError as exc:
            if exc.code in {"invalid_choice", "invalid_pk_value"}:
                unknown = self._unknown(value)
                shown = ", ".join(repr(v)[:40] for v in unknown[:3])
                hint = (
                    (" " + _("Use %(example)s.") % {"example": self.example})
                    if self.example
                    else ""
                )
                raise ValidationError(
                    _("Unknown value %(shown)s.%(hint)s"),
                    code="invalid_choice",
                    params={"shown": shown, "hint": hint},
                ) from None
            raise


def related_to_any(queryset, path: str, values):
    """`queryset` narrowed to the records whose many-to-many `path` ("countries",
    "countries__region") reaches any of `values`, as a semi-join on the link table:
    `id IN (SELECT practice_id FROM practices_practice_countries WHERE ...)`.

    Joining the relation and then removing duplicates with DISTINCT, as a filter across a
    many-to-many relation does by default, makes PostgreSQL build and sort every matching row
    before it can count or paginate; the semi-join lets it stop at the page it needs."""
    first, _, rest = path.partition("__")
    field = queryset.model._meta.get_field(first)
    if not (field.many_to_many and field.concrete):
        return queryset.filter(**{f"{path}__in": values}).distinct()
    through = field.remote_field.through
    lookup = field.m2m_reverse_field_name() + (f"__{rest}" if rest else "")
    linked = through._default_manager.filter(**{f"{lookup}__in": values})
    return queryset.filter(pk__in=linked.values(f"{field.m2m_field_name()}_id"))


class RelatedSetMixin:
    """A multiple-choice filter across a many-to-many relation (`distinct=True`), applied as a
    semi-join (see `related_to_any`): any of the chosen values matches."""

    def filter(self, qs, value):
        if not self.distinct or not value or self.exclude or self.conjoined:
            return super().filter(qs, value)
        if self.is_noop(qs, value):
            return qs
        return related_to_any(qs, self.field_name, list(value))


@extend_schema_field(OpenApiTypes.STR)
class KeyMultipleFilter(RelatedSetMixin, django_filters.ModelMultipleChoiceFilter):
    """Records chosen by a key (slug, code, ISO code); matches any of them. `label_field` is the
    field of the chosen records that names them (in chips and facets), or fields of which the first
    not empty does; `parent_field`, for
    records in a hierarchy, the field naming a record's parent (a facet then counts a value with
    the values below it, as the filter selects them)."""

    field_class = KeyMultipleChoiceField

    def __init__(
        self, *args, label_field: str | tuple[str, ...] = "name", parent_field: str = "", **kwargs
    ):
        self.label_field = label_field
        self.parent_field = parent_field
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, v):
        # Filter on the record itself: django-filter would compare the relation to the key.
        return {self.field_name: v}


class ChoicesField(forms.MultipleChoiceField):
    def validate(self, value):
        try:
            super().validate(value)
        except ValidationError as exc:
            if exc.code == "invalid_choice":
                allowed = ", ".join(key for key, _ in self.choices)
                bad = next((v for v in value if not self.valid_value(v)), "")
                raise ValidationError(
                    _("Unknown value %(bad)s. Allowed: %(allowed)s."),
                    code="invalid_choice",
                    params={"bad": repr(str(bad)[:40]), "allowed": allowed},
                ) from None
            raise


class ChoicesFilter(RelatedSetMixin, django_filters.MultipleChoiceFilter):
    field_class = ChoicesField


class OrderingFilter(django_filters.OrderingFilter):
    """`ordering`, whose error lists the values it allows (a field, or `-field` to reverse)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ", ".join(key for key, _ in self.extra["choices"])
        self.extra["error_messages"] = {
            "invalid_choice": f"Unknown value '%(value)s'. Allowed: {allowed}."
        }


class YearField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2100)
        super().__init__(**kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = YearField


def error_message(errors) -> str:
    """One sentence naming each parameter at fault and what is wrong with it."""
    return " ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())


# What Django puts in place of bytes that are not UTF-8 when it decodes a query string.
REPLACEMENT_CHARACTER = "\ufffd"
NOT_UTF8 = _("Not valid UTF-8: check the percent-encoding of the value.")


class EveryValueCheckedForm(forms.Form):
    """A filter form that checks every value it is given, not only the one it uses.

    A single-valued parameter given several times (`?start_year_min=abc&start_year_min=2000`) is
    filtered on its last value, as before; the earlier values must be valid too, so that a bad one
    is reported rather than silently dropped. A value that was not valid UTF-8 is reported as such.
    """

    def clean(self):
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        if getlist is None:
            return cleaned
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            values = getlist(key)
            if any(REPLACEMENT_CHARACTER in str(value) for value in values):
                # Said plainly, rather than "unknown value '��'".
                self.errors.pop(name, None)
                self.add_error(name, NOT_UTF8)
                continue
            if name in self.errors or len(values) < 2:
                continue
            if not getattr(field.widget, "allow_multiple_selected", False):
                for value in values[:-1]:
                    try:
                        field.clean(field.widget.value_from_datadict({key: value}, {}, key))
                    except ValidationError as exc:
                        self.add_error(name, exc)
                        break
        return cleaned


class EveryValueCheckedFilterSet(django_filters.FilterSet):
    def get_form_class(self):
        """The form class, made once per FilterSet class: django-filter makes a new one, with a
        new field per filter, for every request. A form copies its class's fields when it is
        made (a model choice field with a fresh queryset), so one class serves every request.
        """
        cls = type(self)
        form_class = cls.__dict__.get("_checked_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            form_class = type(form_class.__name__, (EveryValueCheckedForm, form_class), {})
            cls._checked_form_class = form_class
        return form_class


@cache
def every_value_checked(filterset_class):
    """`filterset_class` with its form checking every value given (see EveryValueCheckedForm)."""
    return type(filterset_class.__name__, (EveryValueCheckedFilterSet, filterset_class), {})
