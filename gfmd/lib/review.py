"""Drafts and review of curated records: a record is a draft, in review, or published.

A curator's new record (admin, API) starts as a draft; records from the curated data files are
reviewed already, so the field's default is "published". Where the site requires review
(`GFMD_REVIEW_REQUIRED`, on by default in production), publishing takes a second curator: a
record in review is published by someone other than the last person who changed it (the one who
sent it for review, or anyone who edited it since). Each step is a new version of the record,
with its own history entry.

`ReviewedQuerySet.published()` is the one gate of what visitors see: every public page, API
list, feed, sitemap, search, facet, count and export starts from it, and reads a relation to a
reviewed record through it (`published_condition(prefix)` across a relation)."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Q

from gfmd.lib.history import REASON_MAX_LENGTH, latest_row, record_snapshot
from gfmd.lib.models import has_synthetic


class Status(models.TextChoices):
    """Where a record stands: only published ones are shown to visitors."""

    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


def is_reviewed(model) -> bool:
    """Whether records of `model` go through drafts and review."""
    return issubclass(model, ReviewedModel)


def published_condition(model, prefix: str = "") -> Q:
    """What visitors may see of `model`, as a condition on it or (with a prefix such as
    'practices__') across a relation to it: published, and never generated test data unless the
    server was started to serve it (GFMD_SERVE_SYNTHETIC, for benchmarks)."""
    condition = Q()
    if is_reviewed(model):
        condition &= Q(**{f"{prefix}{model.review_field}": Status.PUBLISHED})
    if has_synthetic(model) and not settings.GFMD_SERVE_SYNTHETIC:
        condition &= Q(**{f"{prefix}synthetic": False})
    return condition


class ReviewedQuerySet(models.QuerySet):
    def published(self):
        """What visitors see: published records only (see `published_condition`)."""
        return self.filter(published_condition(self.model))

    def published_condition(self, prefix: str = "") -> Q:
        """The condition of `published()` across a relation (prefix 'practices__'), for counts
        annotated on the records that link to these."""
        return published_condition(self.model, prefix)


def review_status_field() -> models.CharField:
    return models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.PUBLISHED,
        help_text="Draft, in review, or published (only published records are public).",
    )


def published(queryset):
    """What the public sees of a queryset: its `published()` records, where it has drafts or
    generated rows; other querysets as they are."""
    return queryset.published() if hasattr(queryset, "published") else queryset


def published_related(model, name: str, queryset=None) -> models.Prefetch:
    """Prefetch `model`'s relation `name` keeping the records the public sees (of `queryset`,
    by default all), so that a published record's page never lists a draft it links to."""
    if queryset is None:
        queryset = model._meta.get_field(name).related_model._default_manager.all()
    return models.Prefetch(name, queryset=published(queryset))


class PublishedObjectMixin:
    """For a detail page: visitors reach published records only, curators (staff) drafts and
    records in review too, which the page shows with a banner (includes/curator_bar.html)."""

    def get_object(self, queryset=None):
        queryset = self.get_queryset() if queryset is None else queryset
        if not self.request.user.is_staff:
            queryset = published(queryset)
        return super().get_object(queryset)


class ReviewedModel(models.Model):
    """A record that is a draft, in review or published; only published ones are public.

    The field is `status`; a model whose `status` means something else (a recommendation's
    follow-up) declares its own `review_status = review_status_field()` and names it in
    `review_field`."""

    status = review_status_field()
    review_field = "status"

    class Meta:
        abstract = True

    @property
    def review_state(self) -> str:
        return getattr(self, self.review_field)

    @property
    def review_state_label(self) -> str:
        return Status(self.review_state).label

    @property
    def is_published(self) -> bool:
        return self.review_state == Status.PUBLISHED


class ReviewRefused(Exception):
    """A step the review rules do not allow; the message says why."""


def review_required() -> bool:
    return settings.GFMD_REVIEW_REQUIRED


def _save_status(record, status: str, *, user, reason: str):
    setattr(record, record.review_field, status)
    record._history_user = user
    record._change_reason = reason[:REASON_MAX_LENGTH]
    record.save()
    record_snapshot(record, user=user)
    return record


def _locked(record):
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


@transaction.atomic
def record_submit(*, record, user, reason: str = ""):
    """Draft -> in review."""
    record = _locked(record)
    if record.review_state != Status.DRAFT:
        raise ReviewRefused(f"“{record}” is {record.review_state_label.lower()}, not a draft.")
    return _save_status(record, Status.REVIEW, user=user, reason=reason or "Sent for review")


@transaction.atomic
def record_publish(*, record, user, reason: str = ""):
    """In review (or, where review is not required, a draft) -> published."""
    record = _locked(record)
    if record.review_state == Status.PUBLISHED:
        raise ReviewRefused(f"“{record}” is published already.")
    if review_required():
        if record.review_state != Status.REVIEW:
            raise ReviewRefused(f"“{record}” must be sent for review before it is published.")
        last = latest_row(record)
        if last is not None and last.history_user_id == user.pk:
            raise ReviewRefused(
                f"“{record}” was last changed by you: another curator must approve it."
            )
    return _save_status(record, Status.PUBLISHED, user=user, reason=reason or "Approved")


@transaction.atomic
def record_unpublish(*, record, user, reason: str = ""):
    """In review or published -> draft."""
    record = _locked(record)
    if record.review_state == Status.DRAFT:
        raise ReviewRefused(f"“{record}” is a draft already.")
    return _save_status(record, Status.DRAFT, user=user, reason=reason or "Returned to draft")


def review_counts(model) -> dict[str, int]:
    """How many records of `model` are in each state (one grouped query)."""
    counts = {status: 0 for status in Status.values}
    rows = model._default_manager.values_list(model.review_field).annotate(n=Count("pk")).order_by()
    counts.update(dict(rows))
    return counts
