"""Drafts and review in the admin: a curator's new record (or one added inline) starts as a
draft; the list has the steps as actions and the review queue's counts; the status changes only
through those steps (gfmd.lib.review)."""

from __future__ import annotations

from django.contrib import admin, messages

from gfmd.lib import review


def _step(step, done: str, description: str):
    def run(modeladmin, request, queryset):
        changed = 0
        for record in queryset:
            try:
                step(record=record, user=request.user)
            except review.ReviewRefused as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
            else:
                changed += 1
        if changed:
            modeladmin.message_user(request, f"{done}: {changed}.", messages.SUCCESS)

    return admin.action(description=description)(run)


def draft_if_new(record) -> None:
    """A record a curator adds starts as a draft (the curated data files' records are published
    by the field's default)."""
    if record._state.adding and review.is_reviewed(type(record)):
        setattr(record, record.review_field, review.Status.DRAFT)


class ReviewAdminMixin:
    """For the admin of a reviewed model (gfmd.lib.review.ReviewedModel)."""

    change_list_template = "admin/review_change_list.html"
    actions = ["submit_for_review", "approve_and_publish", "return_to_draft"]
    # The review queue's counts are one grouped query (review_counts): facet counts for every
    # filter would be one more query each.
    show_facets = admin.ShowFacets.ALLOW

    submit_for_review = _step(review.record_submit, "Sent for review", "Send for review")
    approve_and_publish = _step(review.record_publish, "Published", "Approve and publish")
    return_to_draft = _step(review.record_unpublish, "Returned to draft", "Return to draft")

    def get_readonly_fields(self, request, obj=None):
        # changed by the review steps only
        return [*super().get_readonly_fields(request, obj), self.model.review_field]

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return shown if self.model.review_field in shown else [*shown, self.model.review_field]

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        field = self.model.review_field
        return filters if field in filters else [field, *filters]

    def save_model(self, request, obj, form, change):
        draft_if_new(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            draft_if_new(inline_form.instance)
        super().save_formset(request, form, formset, change)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "review_counts": review.review_counts(self.model),
            "review_required": review.review_required(),
            "review_field": self.model.review_field,
        }
        return super().changelist_view(request, extra_context)


def review_queue(site=admin.site) -> list[dict]:
    """Every reviewed kind the admin edits with how many of its records are drafts, in review
    and published (one grouped query per kind), for the admin's index page."""
    rows = []
    for model in site._registry:
        if not review.is_reviewed(model):
            continue
        meta = model._meta
        rows.append(
            {
                "name": meta.verbose_name_plural,
                "url": f"admin:{meta.app_label}_{meta.model_name}_changelist",
                "perm": f"{meta.app_label}.change_{meta.model_name}",
                "field": model.review_field,
                "counts": review.review_counts(model),
            }
        )
    return sorted(rows, key=lambda row: str(row["name"]))
