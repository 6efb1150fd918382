from django.contrib import admin

from gfmd.admin import ReviewedAdmin
from rcps.models import RCP


@admin.register(RCP)
class RCPAdmin(ReviewedAdmin):
    list_display = ["name", "acronym", "short_name", "region", "md_engagement", "questionnaire"]
    list_filter = ["region", "md_engagement", "questionnaire"]
    search_fields = ["name", "short_name", "acronym", "aliases", "narrative"]
    autocomplete_fields = ["members", "supporting_organisations"]
    prepopulated_fields = {"slug": ["short_name"]}
