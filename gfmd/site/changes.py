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
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Lag
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError

from gfmd.lib.api.strict import StrictParametersMixin
from gfmd.lib.filters import ChoicesField, EveryValueCheckedForm
from gfmd.lib.links import absolute, key_url
from gfmd.lib.review import published_condition
from gfmd.models import Country, Organisation, SourceDocument
from practices.models import Practice, Theme
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

# kind, model, key expression, API view name of its detail; a version is public when the record
# was published in it (gfmd.lib.review.published_condition, on its history)
KINDS = (
    ("country", Country, F("iso3"), "api:country-detail"),
    ("organisation", Organisation, F("slug"), "api:organisation-detail"),
    ("source", SourceDocument, F("slug"), "api:sourcedocument-detail"),
    ("theme", Theme, F("slug"), "api:theme-detail"),
    ("meeting", Meeting, F("slug"), "api:meeting-detail"),
    ("roundtable", Roundtable, F("slug"), "api:roundtable-detail"),
    ("session", Session, F("slug"), "api:session-detail"),
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
    ),
    ("recommendation", Recommendation, F("slug"), "api:recommendation-detail"),
    ("practice", Practice, F("slug"), "api:practice-detail"),
    ("rcp", RCP, F("slug"), "api:rcp-detail"),
)
KIND_NAMES = [kind for kind, *_ in KINDS]
VIEW_NAMES = {kind: view_name for kind, _, _, view_name in KINDS}

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


def _history_rows(model, key, since):
    """SQL of the historical rows of `model`, each with its key and whether the record was
    public after it (`row_public`), and the key and publicity after the row before it
    (`key_before`, `public_before`; null for a record's first row and after a deletion), read
    with window functions in one pass. With `since`, only the records changed since, with all
    their rows (the row before a change may be older)."""
    history_model = model.history.model
    boolean = BooleanField()
    condition = published_condition(model)
    public_now = ExpressionWrapper(condition, output_field=boolean) if condition else Value(True)

    def before(expression, output_field):
        return Window(
            Lag(
                Case(
                    When(history_type="-", then=Value(None)),
                    default=expression,
                    output_field=output_field,
                )
            ),
            partition_by=[F("id")],
            order_by=F("history_id").asc(),
        )

    rows = history_model.objects.order_by()
    if since is not None:
        changed = history_model.objects.order_by()
        if isinstance(since, int):
            changed = changed.filter(
                history_txid__in=RawSQL(
                    "SELECT txid FROM gfmd_dataversioncommit WHERE version > %s", [since]
                )
            )
        else:
            changed = changed.filter(history_date__gt=since)
        rows = rows.filter(id__in=changed.values("id"))
    rows = rows.annotate(
        row_key=key,
        row_public=public_now,
        key_before=before(key, CharField()),
        public_before=before(public_now, boolean),
        data_version=RawSQL(DATA_VERSION, []),
    ).values(
        "history_id",
        "history_type",
        "history_date",
        "version",
        "row_key",
        "row_public",
        "key_before",
        "public_before",
        "data_version",
    )
    return rows.query.sql_with_params()


def changes(since=None, kinds=None) -> ChangeRows:
    """Every public change, newest first, as rows of `COLUMNS`: one query for all kinds.

    Of each kind, the rows of records public after them or before them, and the deletion of
    the old key of a record whose key changed while public (a practice's slug, a participant's
    name): the old key is deleted and the new one created, in the same data version."""
    ctes, parts, params = [], [], []
    if isinstance(since, int):
        after, after_params = "w.data_version > %s", [since]
    elif since is not None:
        after, after_params = "w.history_date > %s", [since]
    else:
        after, after_params = "TRUE", []
    for index, (kind, model, key, _) in enumerate(KINDS):
        if kinds and kind not in kinds:
            continue
        sql, sql_params = _history_rows(model, key, since)
        name = f"rows_{index}"
        ctes.append(f"{name} AS MATERIALIZED ({sql})")
        params += sql_params
        parts.append(
            (
                "SELECT %s AS change_kind, w.row_key AS change_key, w.history_type AS "
                "change_type, w.row_public AS is_public, w.public_before AS was_public, "
                "(w.key_before IS NOT NULL AND w.key_before <> w.row_key) AS renamed, "
                f"w.data_version, w.history_date, w.version, w.history_id FROM {name} w "
                f"WHERE {after} AND (w.row_public OR w.public_before)",
                [kind, *after_params],
            )
        )
        parts.append(
            (
                "SELECT %s, w.key_before, '-', FALSE, TRUE, TRUE, w.data_version, "
                f"w.history_date, w.version, w.history_id FROM {name} w WHERE {after} AND "
                "w.public_before AND w.key_before IS NOT NULL AND w.key_before <> w.row_key",
                [kind, *after_params],
            )
        )
    union = " UNION ALL ".join(sql for sql, _ in parts)
    for _, part_params in parts:
        params += part_params
    return ChangeRows(f"WITH {', '.join(ctes)} {union}", params)


class ChangeRows:
    """The change log's rows for a paginator: their count, and a slice of them in order."""

    ordered = True
    ORDER = "ORDER BY history_date DESC, change_kind, history_id DESC, change_key"

    def __init__(self, sql: str, params: list):
        self.sql, self.params = sql, params

    def _execute(self, sql: str):
        """Rows of `sql`, without PostgreSQL's JIT compilation: for this one pass over the
        history tables it costs more than the query (seconds at 100,000 records)."""
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(sql, self.params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def count(self) -> int:
        return self._execute(f"SELECT count(*) AS n FROM ({self.sql}) c")[0]["n"]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        limit = "" if stop is None else f"LIMIT {int(stop) - int(start)}"
        return self._execute(
            f"SELECT * FROM ({self.sql}) c {self.ORDER} {limit} OFFSET {int(start)}"
        )

    def __iter__(self):
        return iter(self[0:None])


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
