"""The public forms: propose a practice, report a problem. Every field is limited in length; a
honeypot field (`website`, hidden from people) catches simple robots."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gfmd.curation.models import ProblemReport, Proposal
from gfmd.models import SourceDocument
from practices.models import Theme

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class HoneypotMixin(forms.Form):
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("This form could not be accepted."), code="honeypot")
        return ""


class ProposalForm(HoneypotMixin, forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        queryset=Theme.objects.order_by("order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    document = forms.ModelChoiceField(
        queryset=SourceDocument.objects.all(),
        required=False,
        empty_label=_("(none: I give a file or a web address)"),
        label=_("Document of the knowledge base"),
    )

    class Meta:
        model = Proposal
        fields = [
            "title",
            "description",
            "where",
            "implementers",
            "scope",
            "type",
            "themes",
            "document",
            "line_start",
            "line_end",
            "passage",
            "source_file",
            "source_url",
            "name",
            "email",
        ]
        labels = {
            "title": _("Title"),
            "description": _("What was done"),
            "scope": _("Scope"),
            "themes": _("Themes"),
            "where": _("Where"),
            "implementers": _("Who implements it"),
            "type": _("Kind of practice"),
            "line_start": _("First line of the passage"),
            "line_end": _("Last line of the passage"),
            "passage": _("The passage (its exact words)"),
            "source_file": _("Or upload a document"),
            "source_url": _("Or give its web address"),
            "name": _("Your name"),
            "email": _("Your e-mail"),
        }
        help_texts = {
            "name": _("Only the curators see your name and e-mail."),
            "email": _("Only the curators see it, to ask you about the proposal."),
            "source_file": _("PDF, text or word-processor file, at most 5 MB."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
            "passage": forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        }

    def clean_source_file(self):
        upload = self.cleaned_data.get("source_file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload

    def clean(self):
        cleaned = super().clean()
        document = cleaned.get("document")
        if not (document or cleaned.get("source_file") or cleaned.get("source_url")):
            raise ValidationError(
                _(
                    "Give the practice's source: a document of the knowledge base with the "
                    "passage, an uploaded document, or a web address."
                )
            )
        if document:
            start, end = cleaned.get("line_start"), cleaned.get("line_end")
            if not cleaned.get("passage") or not start:
                raise ValidationError(
                    _("With a document of the knowledge base, give the passage and its first line.")
                )
            if end is not None and end < start:
                self.add_error("line_end", _("The last line comes before the first."))
        return cleaned


class ProblemReportForm(HoneypotMixin, forms.ModelForm):
    class Meta:
        model = ProblemReport
        fields = ["problem", "correction", "source", "name", "email"]
        labels = {
            "problem": _("What is wrong"),
            "correction": _("The correct information"),
            "source": _("Its source"),
            "name": _("Your name"),
            "email": _("Your e-mail"),
        }
        help_texts = {
            "problem": _("What is wrong."),
            "correction": _("The correct information."),
            "source": _("Where the correct information comes from."),
            "email": _("Only the curators see your name and e-mail."),
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 4, "maxlength": 3000}),
            "correction": forms.Textarea(attrs={"rows": 4, "maxlength": 3000}),
            "source": forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
        }
