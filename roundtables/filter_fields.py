"""Filters on meetings, roundtables and sessions, declared once for every list that offers them
(practices, sessions, participations, recommendations)."""

from __future__ import annotations

from gfmd.lib.filters import KeyMultipleFilter
from roundtables.models import Meeting, Roundtable, Session


def meeting_filter(field_name: str = "meeting", **kwargs) -> KeyMultipleFilter:
    return KeyMultipleFilter(
        label="Meeting",
        field_name=field_name,
        queryset=Meeting.objects.all(),
        to_field_name="slug",
        example="a meeting slug",
        label_field="title",
        **kwargs,
    )


def roundtable_filter(field_name: str = "roundtable", **kwargs) -> KeyMultipleFilter:
    return KeyMultipleFilter(
        label="Roundtable",
        field_name=field_name,
        queryset=Roundtable.objects.all(),
        to_field_name="number",
        example="a roundtable number: 1, 2 or 3",
        label_field="title",
        **kwargs,
    )


def session_filter(field_name: str = "session", **kwargs) -> KeyMultipleFilter:
    return KeyMultipleFilter(
        label="Session",
        field_name=field_name,
        queryset=Session.objects.all(),
        to_field_name="code",
        example="a session code such as '1.1'",
        label_field="title",
        **kwargs,
    )
