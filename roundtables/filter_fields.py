"""Filters on meetings, roundtables and sessions, declared once for every list that offers them
(practices, sessions, participations, recommendations)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gfmd.lib.filters import KeyMultipleFilter
from roundtables.models import Meeting, Roundtable, Session


def meeting_filter(field_name: str = "meeting", **kwargs) -> KeyMultipleFilter:
    return KeyMultipleFilter(
        label=_("Meeting"),
        field_name=field_name,
        queryset=Meeting.objects.published(),
        to_field_name="slug",
        example="a meeting slug such as 'gfmd-2007'",
        label_field="title",
        **kwargs,
    )


def roundtable_by_slug(value: str) -> dict | None:
    """A roundtable is given by its number ('1') or by its slug ('gfmd-2007-roundtable-1')."""
    return None if value.isdigit() else {"slug": value}


def session_by_meeting_or_slug(value: str) -> dict | None:
    """A session is given by its code ('2.1': that session of every meeting), by a meeting and
    a code ('gfmd-2007:2.1') or by its slug ('gfmd-2007-session-2-1')."""
    meeting, colon, code = value.rpartition(":")
    if colon:
        return {"meeting__slug": meeting, "code": code}
    return {"slug": value} if "-" in value else None


def roundtable_filter(field_name: str = "roundtable", **kwargs) -> KeyMultipleFilter:
    return KeyMultipleFilter(
        label=_("Roundtable"),
        field_name=field_name,
        queryset=Roundtable.objects.published(),
        to_field_name="number",
        alternatives=roundtable_by_slug,
        example="a roundtable number (1, 2 or 3) or slug ('gfmd-2007-roundtable-1')",
        help_text="Roundtable number or slug: `1` or `gfmd-2007-roundtable-1`; repeat for any.",
        label_field="title",
        **kwargs,
    )


def session_filter(field_name: str = "session", **kwargs) -> KeyMultipleFilter:
    return KeyMultipleFilter(
        label=_("Session"),
        field_name=field_name,
        queryset=Session.objects.published(),
        to_field_name="code",
        alternatives=session_by_meeting_or_slug,
        example="a session code ('1.1'), a meeting and a code ('gfmd-2007:1.1') or a slug",
        help_text=(
            "Session code (`1.1`: that session of every meeting), meeting and code "
            "(`gfmd-2007:1.1`) or slug (`gfmd-2007-session-1-1`); repeat for any."
        ),
        label_field="title",
        **kwargs,
    )
