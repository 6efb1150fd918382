"""The change log, `/api/v1/changes/`: what was created, updated or deleted, when, and in which
data version, newest first, read from the edit history (django-simple-history's tables), so that
a client can sync incrementally with `since`.

For a client, a record is what the public sees: a practice taken out of publication (back to
draft or review) is a deletion, and one published again is created anew; the edits of a draft
are not listed. So a client that applies every change in order holds exactly the public records.
Of each historical row, the query knows whether the record was public after it (`is_public`)
and whether it was public after the row before it (`was_public`)."""

from __future__ import annotations

from django import forms
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from gfmd.lib.api.strict import StrictParametersMixin
from gfmd.lib.filters import ChoicesField, EveryValueCheckedForm
from gfmd.lib.links import absolute, key_url
from gfmd.models import Country, Organisation, SourceDocument
from practices.models import Practice, Theme, published_filter
from rcps.models import RCP
from roundtables.models import (
    Meeting,
    Participation,
    Recommendation,
    Roundtable,
    Session,
    participation_key,
)

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}
# Between the parts of a participation's key as the query gives it (no name holds it).
SEPARATOR = "\x1f"

# kind, model, key expression, API view name of its detail, public condition (on its history)
KINDS = (
    ("country", Country, F("iso3"), "api:country-detail", Q()),
    ("organisation", Organisation, F("slug"), "api:organisation-detail", Q()),
    ("source", SourceDocument, F("slug"), "api:sourcedocument-detail", Q()),
    ("theme", Theme, F("slug"), "api:theme-detail", Q()),
    ("meeting", Meeting, F("slug"), "api:meeting-detail", Q()),
    ("roundtable", Roundtable, F("slug"), "api:roundtable-detail", Q()),
    ("session", Session, F("slug"), "api:session-detail", Q()),
    (
        "participation",
        Participation,
        # parent, part, role and name, split by a unit separator; the key is made in Python
        # (see ChangeSerializer)
        Concat(
            Coalesce(F("session__slug"), F("roundtable__slug"), F("meeting__slug"), Value("")),
            Value(SEPARATOR),
            F("part"),
            Value(SEPARATOR),
            F("role"),
            Value(SEPARATOR),
            F("name"),
            output_field=CharField(),
        ),
        "api:participation-detail",
        Q(synthetic=False),
    ),
    ("recommendation", Recommendation, F("slug"), "api:recommendation-detail", Q(synthetic=False)),
    ("practice", Practice, F("slug"), "api:practice-detail", None),
    ("rcp", RCP, F("slug"), "api:rcp-detail", Q()),
)
KIND_NAMES = [kind for kind, *_ in KINDS]
VIEW_NAMES = {kind: view_name for kind, _, _, view_name, _ in KINDS}

# The data version the transaction that wrote a historical row committed (None: not committed
# yet, or written before versions were recorded).
DATA_VERSION = "(SELECT version FROM gfmd_dataversioncommit c WHERE c.txid = history_txid)"


class SinceField(forms.CharField):
    """A data version (a whole number) or an ISO 8601 timestamp."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        if value.isascii() and value.isdigit() and len(value) < 19:
            return int(value)
        try:
            parsed = forms.DateTimeField().to_python(value) if len(value) <= 40 else None
        except forms.ValidationError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(
                "Use a data version (a whole number, e.g. 42) or an ISO 8601 timestamp "
                "(e.g. 2026-01-31T12:00:00Z)."
            )
        return parsed


class ChangesForm(EveryValueCheckedForm):
    since = SinceField(
        required=False,
        help_text="Only changes after this data version (e.g. `42`) or this time "
        "(ISO 8601, e.g. `2026-01-31T12:00:00Z`).",
    )
    kind = ChoicesField(
        choices=[(kind, kind) for kind in KIND_NAMES],
        required=False,
        help_text="Only these kinds of record; repeat for several.",
    )


def _before(history_model, expression, output_field):
    """Of each historical row, `expression` on the row before it of the same record; None for
    its first row and after a deletion."""
    rows = (
        history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .annotate(
            value=Case(
                When(history_type="-", then=Value(None)),
                default=expression,
                output_field=output_field,
            )
        )
        .values("value")[:1]
    )
    return Subquery(rows, output_field=output_field)


COLUMNS = (
    "change_kind",
    "change_key",
    "change_type",
    "is_public",
    "was_public",
    "renamed",
    "data_version",
    "history_date",
    "version",
    "history_id",
)


def _kind_changes(kind, model, key, public, since):
    """The rows of one kind: each historical row of a record public after it or before it,
    and a deletion of the old key of each record whose key changed while public."""
    history_model = model.history.model
    boolean = BooleanField()
    condition = published_filter() if public is None else public
    public_now = ExpressionWrapper(condition, output_field=boolean) if condition else Value(True)
    history = history_model.objects.all()
    if isinstance(since, int):
        history = history.filter(
            history_txid__in=RawSQL(
                "SELECT txid FROM gfmd_dataversioncommit WHERE version > %s", [since]
            )
        )
    elif since is not None:
        history = history.filter(history_date__gt=since)
    history = history.alias(
        row_key=key,
        row_public=public_now,
        key_before=_before(history_model, key, CharField()),
        public_before=_before(history_model, public_now, boolean),
    )
    common = {
        "change_kind": Value(kind, output_field=CharField()),
        "data_version": RawSQL(DATA_VERSION, []),
    }
    rows = history.filter(Q(row_public=True) | Q(public_before=True)).annotate(
        change_kind=common["change_kind"],
        change_key=F("row_key"),
        change_type=F("history_type"),
        is_public=F("row_public"),
        was_public=F("public_before"),
        renamed=ExpressionWrapper(
            Q(key_before__isnull=False) & ~Q(key_before=F("row_key")), output_field=boolean
        ),
        data_version=common["data_version"],
    )
    old_keys = (
        history.filter(public_before=True, key_before__isnull=False)
        .exclude(key_before=F("row_key"))
        .annotate(
            change_kind=common["change_kind"],
            change_key=F("key_before"),
            change_type=Value("-", output_field=CharField()),
            is_public=Value(False, output_field=boolean),
            was_public=Value(True, output_field=boolean),
            renamed=Value(True, output_field=boolean),
            data_version=common["data_version"],
        )
    )
    return [rows.values(*COLUMNS), old_keys.values(*COLUMNS)]


def changes(since=None, kinds=None):
    """Every public change, newest first, as rows of `COLUMNS`: one query for all kinds.

    A record's key may change (a practice's slug, a participant's name): the change log then
    lists the old key as deleted and the new one as created, in the same data version."""
    parts = []
    for kind, model, key, _, public in KINDS:
        if not kinds or kind in kinds:
            parts += _kind_changes(kind, model, key, public, since)
    first, *rest = parts
    return first.union(*rest, all=True).order_by(
        "-history_date", "change_kind", "-history_id", "change_key"
    )


def change_action(row) -> str:
    """What a historical row is to a client that sees only public records: leaving the public
    set is a deletion; entering it (after a row that was not public, or under a new key), a
    creation."""
    if row["change_type"] == "-" or not row["is_public"]:
        return "deleted"
    if row["was_public"] is False or row["renamed"]:
        return "created"
    return ACTIONS[row["change_type"]]


class ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_NAMES, source="change_kind")
    key = serializers.SerializerMethodField()
    action = serializers.SerializerMethodField()
    at = serializers.DateTimeField(source="history_date")
    data_version = serializers.IntegerField(
        allow_null=True,
        help_text="The data version the change was committed in; null for changes recorded "
        "before versions were.",
    )
    record_version = serializers.IntegerField(source="version")
    url = serializers.SerializerMethodField()

    def get_key(self, row) -> str:
        key = row["change_key"]
        if row["change_kind"] == "participation":
            parent, part, role, name = key.split(SEPARATOR, 3)
            key = participation_key(parent, part, role, name)
        return key

    @extend_schema_field(
        serializers.ChoiceField(
            choices=list(ACTIONS.values()),
            help_text="For a client that sees only public records: a record taken out of "
            "publication is deleted, one published again created, and a changed key is the old "
            "key deleted and the new one created.",
        )
    )
    def get_action(self, row) -> str:
        return change_action(row)

    def get_url(self, row) -> str:
        key = self.get_key(row)
        key = key.lower() if row["change_kind"] == "country" else key
        return absolute(self.context.get("request"), key_url(VIEW_NAMES[row["change_kind"]], key))


class ChangeViewSet(StrictParametersMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """What changed in the knowledge base, newest first: each record created, updated or deleted,
    when, and in which data version. Sync with `since`: keep the highest `data_version` you
    have seen and ask for the changes after it."""

    serializer_class = ChangeSerializer
    filter_backends: list = []
    extra_parameters = tuple(ChangesForm.base_fields)

    def get_queryset(self):
        form = ChangesForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        return changes(form.cleaned_data["since"], form.cleaned_data.get("kind") or None)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                str,
                description=ChangesForm.base_fields["since"].help_text,
            ),
            OpenApiParameter(
                "kind",
                str,
                many=True,
                enum=KIND_NAMES,
                description=ChangesForm.base_fields["kind"].help_text,
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
