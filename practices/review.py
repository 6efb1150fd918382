"""Drafts and review: a practice is a draft, in review, or published.

A curator's new practice starts as a draft. Where the site requires review
(`GFMD_REVIEW_REQUIRED`, on by default in production), publishing takes a second curator: a
practice in review is published by someone other than the last person who changed it (the one
who sent it for review, or anyone who edited it since). Each step is a new version of the record,
with its own history entry."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from gfmd.lib.history import REASON_MAX_LENGTH, latest_row, record_snapshot
from practices.models import Practice, Status


class ReviewRefused(Exception):
    """A step the review rules do not allow; the message says why."""


def review_required() -> bool:
    return settings.GFMD_REVIEW_REQUIRED


def _save_status(practice: Practice, status: str, *, user, reason: str) -> Practice:
    practice.status = status
    practice._history_user = user
    practice._change_reason = reason[:REASON_MAX_LENGTH]
    practice.save()
    record_snapshot(practice, user=user)
    return practice


def _locked(practice: Practice) -> Practice:
    return Practice.objects.select_for_update().get(pk=practice.pk)


@transaction.atomic
def practice_submit(*, practice: Practice, user, reason: str = "") -> Practice:
    """Draft -> in review."""
    practice = _locked(practice)
    if practice.status != Status.DRAFT:
        raise ReviewRefused(
            f"“{practice}” is {practice.get_status_display().lower()}, not a draft."
        )
    return _save_status(practice, Status.REVIEW, user=user, reason=reason or "Sent for review")


@transaction.atomic
def practice_publish(*, practice: Practice, user, reason: str = "") -> Practice:
    """In review (or, where review is not required, a draft) -> published."""
    practice = _locked(practice)
    if practice.status == Status.PUBLISHED:
        raise ReviewRefused(f"“{practice}” is published already.")
    if review_required():
        if practice.status != Status.REVIEW:
            raise ReviewRefused(f"“{practice}” must be sent for review before it is published.")
        last = latest_row(practice)
        if last is not None and last.history_user_id == user.pk:
            raise ReviewRefused(
                f"“{practice}” was last changed by you: another curator must approve it."
            )
    return _save_status(practice, Status.PUBLISHED, user=user, reason=reason or "Approved")


@transaction.atomic
def practice_unpublish(*, practice: Practice, user, reason: str = "") -> Practice:
    """In review or published -> draft."""
    practice = _locked(practice)
    if practice.status == Status.DRAFT:
        raise ReviewRefused(f"“{practice}” is a draft already.")
    return _save_status(practice, Status.DRAFT, user=user, reason=reason or "Returned to draft")


def review_counts() -> dict[str, int]:
    """How many practices are in each state (one grouped query)."""
    counts = {status: 0 for status in Status.values}
    rows = Practice.objects.values_list("status").annotate(n=Count("pk")).order_by()
    counts.update(dict(rows))
    return counts
