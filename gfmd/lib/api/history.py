"""History in the API: a reason on every write, relations and citations in each history row, and
`POST …/<key>/revert/` to return a record to an earlier version (gfmd.lib.history)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from gfmd.lib import history


def change_reason(request) -> str:
    """The optional `change_reason` of a write, checked for its length."""
    data = request.data if hasattr(request.data, "get") else {}
    reason = data.get("change_reason") or ""
    if not isinstance(reason, str):
        raise ValidationError({"change_reason": ["Give the reason as text."]})
    if len(reason) > history.REASON_MAX_LENGTH:
        raise ValidationError(
            {"change_reason": [f"At most {history.REASON_MAX_LENGTH} characters."]}
        )
    return reason


class RevertSerializer(serializers.Serializer):
    to_version = serializers.IntegerField(min_value=1, help_text="The version to return to.")
    version = serializers.IntegerField(
        min_value=1,
        help_text="The version you read (the current one): if someone saved since, it is refused.",
    )
    change_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=history.REASON_MAX_LENGTH
    )


class HistoryViewSetMixin:
    """For a `ModelViewSet` of versioned records."""

    def perform_create(self, serializer):
        reason = change_reason(self.request)
        super().perform_create(serializer)
        history.record_snapshot(serializer.instance, reason=reason, user=self.request.user)

    def perform_update(self, serializer):
        reason = change_reason(self.request)
        super().perform_update(serializer)
        history.record_snapshot(serializer.instance, reason=reason, user=self.request.user)

    def perform_destroy(self, instance):
        history.delete_record(instance, user=self.request.user, reason=change_reason(self.request))

    @extend_schema(request=RevertSerializer)
    @action(detail=True, methods=["post"])
    def revert(self, request, **kwargs):
        """Return the record to an earlier version, as a new version (fields, relations and
        citations). 409 if the record changed since the version you read."""
        payload = RevertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        model = self.get_queryset().model
        lookup = self.lookup_url_kwarg or self.lookup_field
        record = get_object_or_404(model._default_manager, **{self.lookup_field: kwargs[lookup]})
        try:
            outcome = history.revert_record(
                model,
                record.pk,
                to_version=payload.validated_data["to_version"],
                loaded_version=payload.validated_data["version"],
                user=request.user,
                reason=payload.validated_data.get("change_reason", ""),
            )
        except history.RevertRefused as exc:
            code = status.HTTP_409_CONFLICT if exc.conflict else status.HTTP_400_BAD_REQUEST
            return Response({"detail": str(exc)}, status=code)
        return Response(
            {
                "detail": f"Reverted to version {payload.validated_data['to_version']}.",
                "version": outcome.instance.version,
                "not_restored": outcome.missing,
            }
        )
