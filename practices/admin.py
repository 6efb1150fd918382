from django.contrib import admin, messages

from gfmd.admin import CuratedAdmin
from practices import review
from practices.models import Practice, Status, Theme


@admin.register(Theme)
class ThemeAdmin(CuratedAdmin):
    list_display = ["name", "kind", "parent", "order"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}


def _review_action(step, done: str):
    def run(modeladmin, request, queryset):
        changed = 0
        for practice in queryset:
            try:
                step(practice=practice, user=request.user)
            except review.ReviewRefused as exc:
                modeladmin.message_user(request, str(exc), messages.ERROR)
            else:
                changed += 1
        if changed:
            modeladmin.message_user(request, f"{done}: {changed}.", messages.SUCCESS)

    return run


@admin.register(Practice)
class PracticeAdmin(CuratedAdmin):
    list_display = ["title", "status", "scope", "type", "start_year"]
    list_filter = ["status", "scope", "type", "themes", "sessions"]
    # The review queue's counts are one grouped query (review_counts): facet counts for every
    # filter (themes, sessions) would be one more query each.
    show_facets = admin.ShowFacets.ALLOW
    search_fields = ["title", "summary", "description"]
    readonly_fields = ["status"]  # changed by the review actions only
    change_list_template = "admin/practices/review_change_list.html"
    autocomplete_fields = [
        "countries",
        "partner_countries",
        "organisations",
        "themes",
        "sessions",
        "rcps",
    ]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["submit_for_review", "approve_and_publish", "return_to_draft"]

    submit_for_review = admin.action(description="Send for review")(
        _review_action(review.practice_submit, "Sent for review")
    )
    approve_and_publish = admin.action(description="Approve and publish")(
        _review_action(review.practice_publish, "Published")
    )
    return_to_draft = admin.action(description="Return to draft")(
        _review_action(review.practice_unpublish, "Returned to draft")
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.status = Status.DRAFT  # a curator's new practice starts as a draft
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "review_counts": review.review_counts(),
            "review_required": review.review_required(),
        }
        return super().changelist_view(request, extra_context)
