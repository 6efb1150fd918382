from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from gfmd.admin_cite import cite_view, initial_citation
from gfmd.lib.conflicts import EditConflictError, MissingVersionError, check_locked
from gfmd.lib.history_admin import ChangeReasonFormMixin, HistoryAdminMixin
from gfmd.lib.review_admin import ReviewAdminMixin
from gfmd.lib.tokens import masked
from gfmd.models import (
    Citation,
    Country,
    FixtureLoad,
    Organisation,
    Passage,
    PassageKind,
    ReferencedDocument,
    SourceDocument,
)
from gfmd.models.sources import DOCUMENT_DESCRIPTION_FIELDS
from gfmd.texts import IngestError, document_ingest, max_bytes, parse_file


class CitationInline(GenericTabularInline):
    """Citations edited inside whatever they cite. The passage is found from the lines and the
    excerpt, which must stand in it (Citation.clean); citing by selection fills both in."""

    model = Citation
    extra = 0
    fields = ["document", "locator", "line_start", "line_end", "excerpt", "order", "passage_place"]
    readonly_fields = ["passage_place"]
    autocomplete_fields = ["document"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("document", "passage")

    def get_extra(self, request, obj=None, **kwargs):
        # One row filled in when the curator comes from citing a passage by selection.
        return 1 if initial_citation(request) else 0

    @admin.display(description="passage")
    def passage_place(self, citation):
        if not citation.pk:
            return "-"
        if not citation.passage_id:
            return citation.problem or "-"
        return format_html(
            '<a href="{}">{}</a>', citation.get_absolute_url(), citation.passage.place
        )


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
        if request.method == "POST" and transaction.get_connection().in_atomic_block:
            # Inside the admin's transaction (changeform_view is atomic): lock, then read. (A
            # revert reads here outside one, and locks in its own: gfmd.lib.history.)
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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        initial = initial_citation(request) if isinstance(inline, CitationInline) else None
        if initial:
            kwargs["initial"] = [initial]
        return kwargs


class ReviewedAdmin(ReviewAdminMixin, CuratedAdmin):
    """A curated record that is a draft, in review or published (gfmd.lib.review)."""


@admin.register(Country)
class CountryAdmin(VersionedAdmin):
    list_display = ["name", "iso3", "iso2", "region", "subregion"]
    list_filter = ["region", "subregion"]
    search_fields = ["name", "common_name", "iso3", "iso2", "aliases"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(ReviewedAdmin):
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    search_fields = ["name", "acronym", "aliases"]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["acronym"]}


class SourceDocumentForm(VersionCheckedForm):
    file = forms.FileField(
        required=False,
        help_text="The document's text: a .txt, .md or .pdf file with text. A new file replaces "
        "the text; citations that no longer match are listed for you to fix.",
    )

    class Meta:
        model = SourceDocument
        fields = [
            *DOCUMENT_DESCRIPTION_FIELDS,
            "order",
            "seed_file",
        ]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        if upload.size > max_bytes():
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the largest accepted is "
                f"{max_bytes() / 1_048_576:.0f} MB."
            )
        data = upload.read()
        try:
            parse_file(upload.name, data)
        except IngestError as exc:
            raise forms.ValidationError(str(exc)) from None
        self.file_data = (upload.name, data)
        return upload


@admin.register(SourceDocument)
class SourceDocumentAdmin(VersionedAdmin):
    form = SourceDocumentForm
    list_display = ["title", "symbol", "publisher", "published", "text_format", "line_count"]
    search_fields = ["title", "short_title", "symbol"]
    prepopulated_fields = {"slug": ["short_title"]}
    readonly_fields = ["text_status", "coverage"]
    fieldsets = [
        (
            None,
            {"fields": [*DOCUMENT_DESCRIPTION_FIELDS, "order"]},
        ),
        ("Text", {"fields": ["file", "text_status", "coverage", "seed_file"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_coverage()

    @admin.display(description="Text")
    def text_status(self, document):
        if not document.pk or not document.has_text:
            return "Not loaded: upload a file."
        pages = f", {document.page_count} pages" if document.page_count else ""
        return (
            f"{document.get_text_format_display()}, {document.line_count} lines{pages}; read "
            f"{document.ingested_at:%Y-%m-%d %H:%M}."
        )

    @admin.display(description="Coverage")
    def coverage(self, document):
        if not document.pk or not document.has_text:
            return "-"
        passages = reverse("admin:gfmd_passage_changelist")
        citations = reverse("admin:gfmd_citation_changelist")
        return format_html(
            '{} of {} passages cited. <a href="{}?document__id__exact={}&cited=no">Uncited '
            'paragraphs</a> · <a href="{}?document__id__exact={}&problem=yes">Citations to '
            'check</a> · <a href="{}">Read it</a>',
            document.cited_passage_count,
            document.passage_count,
            passages,
            document.pk,
            citations,
            document.pk,
            document.get_absolute_url(),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        upload = getattr(form, "file_data", None)
        if upload is None:
            return
        name, data = upload
        report = document_ingest(document=obj, name=name, data=data)
        if report.unchanged:
            messages.info(request, f"{name} is the text already loaded; nothing changed.")
            return
        messages.success(
            request, f"{name}: {report.passages} passages read; {report.kept} citations kept."
        )
        if report.unpinned:
            messages.warning(
                request,
                f"{len(report.unpinned)} citations no longer match the new text; they are listed "
                "under Citations, 'Needs checking'.",
            )


class CitedFilter(admin.SimpleListFilter):
    title = "cited"
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("yes", "Cited"), ("no", "Not cited (paragraphs)")]

    def queryset(self, request, queryset):
        cited = Exists(Citation.objects.filter(passage=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(cited)
        if self.value() == "no":
            return queryset.filter(~cited, kind=PassageKind.PARAGRAPH)
        return queryset


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    """The documents' passages, read-only: search them to cite one, or list the uncited."""

    list_display = ["document", "place", "kind", "section_short", "text_start", "cite_link"]
    list_filter = [CitedFilter, "document", "kind"]
    list_select_related = ["document"]
    search_fields = ["text", "anchor", "section"]
    readonly_fields = [f.name for f in Passage._meta.concrete_fields if f.name != "search"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        from django.urls import path

        cite = self.admin_site.admin_view(
            lambda request, passage_id: cite_view(self, request, passage_id)
        )
        return [path("<int:passage_id>/cite/", cite, name="gfmd_passage_cite"), *super().get_urls()]

    @admin.display(description="cite")
    def cite_link(self, passage):
        return format_html(
            '<a href="{}">Cite…</a>', reverse("admin:gfmd_passage_cite", args=[passage.pk])
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        # The citation inline's autocomplete offers the passages of every document: narrowed by
        # the words typed, in the documents' order.
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.order_by("document__order", "position"), duplicates

    @admin.display(description="section")
    def section_short(self, passage):
        return passage.section[-80:]

    @admin.display(description="text")
    def text_start(self, passage):
        return passage.text[:160]


class ProblemFilter(admin.SimpleListFilter):
    title = "needs checking"
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [("yes", "Needs checking"), ("no", "Pinned to its passage")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(problem="")
        if self.value() == "no":
            return queryset.filter(problem="")
        return queryset


@admin.register(ReferencedDocument)
class ReferencedDocumentAdmin(CuratedAdmin):
    list_display = ["title", "symbol", "source"]
    list_filter = ["source"]
    list_select_related = ["source"]
    search_fields = ["title", "symbol", "description"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "content_type", "object_id", "document", "place", "problem"]
    list_filter = [ProblemFilter, "document", "content_type"]
    list_select_related = ["document", "content_type", "passage"]
    search_fields = ["excerpt", "locator"]
    autocomplete_fields = ["document", "passage"]
    readonly_fields = ["problem"]


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
