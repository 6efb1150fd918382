from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from simple_history.admin import SimpleHistoryAdmin

from gfmd.lib.conflicts import find_conflict
from gfmd.lib.history_admin import ChangeReasonFormMixin, HistoryAdminMixin
from gfmd.models import Citation, Country, FixtureLoad, Organisation, SourceDocument


class CitationInline(GenericTabularInline):
    """Citations edited inside whatever they cite."""

    model = Citation
    extra = 0
    fields = ["document", "locator", "line_start", "line_end", "excerpt", "order"]
    autocomplete_fields = ["document"]


class VersionCheckedForm(ChangeReasonFormMixin, forms.ModelForm):
    """Carries the version the curator opened; saving over a newer version is refused."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        conflict = find_conflict(self.instance, cleaned.get("loaded_version"))
        if conflict:
            raise forms.ValidationError(conflict.message, code="conflict")
        return cleaned


class VersionedAdmin(HistoryAdminMixin, SimpleHistoryAdmin):
    """Edit history with relations, citations and reasons, revert and restore
    (gfmd.lib.history_admin on django-simple-history), and no lost updates."""

    form = VersionCheckedForm
    save_on_top = True


class CuratedAdmin(VersionedAdmin):
    """Shared behaviour of the admin pages of curated records."""

    inlines = [CitationInline]


@admin.register(Country)
class CountryAdmin(VersionedAdmin):
    list_display = ["name", "iso3", "iso2", "region", "subregion"]
    list_filter = ["region", "subregion"]
    search_fields = ["name", "common_name", "iso3", "iso2", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(CuratedAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    search_fields = ["name", "acronym"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["acronym"]}


@admin.register(SourceDocument)
class SourceDocumentAdmin(VersionedAdmin):
    list_display = ["title", "symbol", "publisher", "published", "seed_file"]
    search_fields = ["title", "short_title", "symbol"]
    prepopulated_fields = {"slug": ["short_title"]}


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "content_type", "object_id", "document", "line_start", "line_end"]
    list_filter = ["document", "content_type"]
    list_select_related = ["document", "content_type"]
    search_fields = ["excerpt", "locator"]
    autocomplete_fields = ["document"]


@admin.register(FixtureLoad)
class FixtureLoadAdmin(admin.ModelAdmin):
    list_display = ["path", "records", "loaded_at", "sha256"]
    readonly_fields = ["path", "sha256", "records", "loaded_at"]

    def has_add_permission(self, request):
        return False
