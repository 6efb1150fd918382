from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from gfmd.lib.conflicts import EditConflictError, MissingVersionError, check_locked
from gfmd.lib.history_admin import ChangeReasonFormMixin, HistoryAdminMixin
from gfmd.lib.tokens import masked
from gfmd.models import (
    Citation,
    Country,
    FixtureLoad,
    Organisation,
    ReferencedDocument,
    SourceDocument,
)


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
        # The admin's save runs in one transaction; VersionedAdmin.get_object locked the row at
        # its start, so this comparison holds until the save commits.
        try:
            check_locked(self.instance, cleaned.get("loaded_version"))
        except MissingVersionError as exc:
            raise forms.ValidationError(exc.message, code="missing_version") from None
        except EditConflictError as exc:
            raise forms.ValidationError(exc.conflict.message, code="conflict") from None
        return cleaned


class VersionedAdmin(HistoryAdminMixin, SimpleHistoryAdmin):
    """Edit history with relations, citations and reasons, revert and restore
    (gfmd.lib.history_admin on django-simple-history), and no lost updates: a save locks the
    record's row before reading it, and is refused unless it carries the version it was loaded
    at (gfmd.lib.conflicts)."""

    form = VersionCheckedForm
    save_on_top = True

    def get_object(self, request, object_id, from_field=None):
        if request.method == "POST":
            # Inside the admin's transaction (changeform_view is atomic): lock, then read.
            meta = self.model._meta
            field = meta.pk if from_field is None else meta.get_field(from_field)
            try:
                value = field.to_python(object_id)
            except (ValidationError, ValueError):
                value = None  # the admin's own "does not exist" below
            if value is not None:
                rows = self.model._default_manager.select_for_update(of=("self",))
                list(rows.filter(**{field.name: value}).values_list("pk", flat=True))
        return super().get_object(request, object_id, from_field)


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
    search_fields = ["name", "acronym", "aliases"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["acronym"]}


@admin.register(SourceDocument)
class SourceDocumentAdmin(VersionedAdmin):
    list_display = ["title", "symbol", "publisher", "published", "seed_file"]
    search_fields = ["title", "short_title", "symbol"]
    prepopulated_fields = {"slug": ["short_title"]}


@admin.register(ReferencedDocument)
class ReferencedDocumentAdmin(CuratedAdmin):
    list_display = ["title", "symbol", "source"]
    list_filter = ["source"]
    list_select_related = ["source"]
    search_fields = ["title", "symbol", "description"]
    prepopulated_fields = {"slug": ["title"]}


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


admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class MaskedTokenAdmin(TokenAdmin):
    """API tokens: the list shows the first characters only; the whole key is shown once, when
    the token is made. Deleting a token revokes it; deleting and adding again rotates it."""

    list_display = ["short_key", "user", "created"]

    @admin.display(description="key")
    def short_key(self, token):
        return masked(token.key)

    def response_add(self, request, obj, post_url_continue=None):
        # Instead of Django's "The token “<key>” was added", which would show it a second time.
        self.message_user(
            request,
            f"The new token of {obj.user} is {obj.key} - copy it now: it is not shown again.",
        )
        return HttpResponseRedirect(reverse("admin:authtoken_tokenproxy_changelist"))
