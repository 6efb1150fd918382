from django.contrib import admin

from gfmd.admin import ReviewedAdmin
from practices.models import Practice, Theme


@admin.register(Theme)
class ThemeAdmin(ReviewedAdmin):
    list_display = ["name", "kind", "parent", "order"]
    list_filter = ["kind"]
    list_select_related = ["parent"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Practice)
class PracticeAdmin(ReviewedAdmin):
    list_display = ["title", "status", "scope", "type", "start_year"]
    list_filter = ["status", "scope", "type", "themes", "sessions"]
    search_fields = ["title", "summary", "description"]
    autocomplete_fields = [
        "countries",
        "partner_countries",
        "organisations",
        "themes",
        "sessions",
        "rcps",
    ]
    prepopulated_fields = {"slug": ["title"]}
