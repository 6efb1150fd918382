"""Citing by selection in the admin: a curator opens a passage, selects the words to quote, and
attaches the citation to an existing record or starts a new practice, recommendation or RCP
from it. The record's own admin form then opens with the citation filled in, so it is saved, and
checked against the passage, with the record."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from gfmd.lib.textfold import contains
from gfmd.models import Citation, Passage

# The kinds a citation can start; any record with citations can be attached to.
NEW_KINDS = [
    ("practices.practice", "New practice"),
    ("roundtables.recommendation", "New recommendation"),
    ("rcps.rcp", "New RCP"),
]


def citable_kinds() -> list[tuple[str, str]]:
    kinds = []
    for model in apps.get_models():
        if any(getattr(f, "related_model", None) is Citation for f in model._meta.private_fields):
            kinds.append((model._meta.label_lower, str(model._meta.verbose_name).capitalize()))
    return sorted(kinds, key=lambda kind: kind[1])


class CiteForm(forms.Form):
    excerpt = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Select words in the passage above (they are copied here), or type them.",
    )
    kind = forms.ChoiceField(label="Kind of record", required=False)
    record = forms.CharField(
        label="Record", required=False, help_text="Its slug (as in its address) or its id."
    )

    def __init__(self, *args, passage: Passage, **kwargs):
        super().__init__(*args, **kwargs)
        self.passage = passage
        self.fields["kind"].choices = [("", "---------"), *citable_kinds()]

    def clean_excerpt(self):
        excerpt = " ".join(self.cleaned_data["excerpt"].split())
        if not contains(self.passage.text, excerpt):
            raise forms.ValidationError(
                f"These words are not in {self.passage.place}: select them in its text."
            )
        if len(excerpt.split()) > 60:
            raise forms.ValidationError("Quote at most about 40 words.")
        return excerpt

    def target_model(self):
        label = self.cleaned_data.get("kind") or self.data.get("new")
        return apps.get_model(label) if label else None

    def find_record(self):
        model = apps.get_model(self.cleaned_data["kind"])
        key = self.cleaned_data["record"].strip()
        queryset = model._default_manager.all()
        found = None
        if key.isdigit():
            found = queryset.filter(pk=int(key)).first()
        if found is None and any(f.name == "slug" for f in model._meta.fields):
            found = queryset.filter(slug=key).first()
        if found is None:
            self.add_error("record", f"No {model._meta.verbose_name} has the slug or id {key!r}.")
        return found


def cite_view(model_admin, request, passage_id: int):
    passage = get_object_or_404(Passage.objects.select_related("document"), pk=passage_id)
    form = CiteForm(request.POST or None, passage=passage)
    if request.method == "POST" and form.is_valid():
        params = {"cite_passage": passage.pk, "cite_excerpt": form.cleaned_data["excerpt"]}
        new = request.POST.get("new", "")
        if new in dict(NEW_KINDS):
            app_label, model_name = new.split(".")
            url = reverse(f"admin:{app_label}_{model_name}_add")
            return redirect(f"{url}?{urlencode(params)}")
        if not form.cleaned_data.get("kind") or not form.cleaned_data.get("record"):
            form.add_error("record", "Choose the kind of record and give its slug, or start one.")
        else:
            record = form.find_record()
            if record is not None:
                opts = record._meta
                try:
                    url = reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
                    )
                except NoReverseMatch:
                    form.add_error("kind", "Records of this kind are not edited in the admin.")
                else:
                    return redirect(f"{url}?{urlencode(params)}")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Cite {passage.document}, {passage.place}",
        "passage": passage,
        "form": form,
        "new_kinds": NEW_KINDS,
        "opts": model_admin.model._meta,
        "content_type": ContentType.objects.get_for_model(Passage),
    }
    return TemplateResponse(request, "admin/gfmd/passage/cite.html", context)


def initial_citation(request) -> dict | None:
    """The citation a curator started by selection (?cite_passage=&cite_excerpt=), to fill in
    the citations of the record's form; None without one."""
    passage_id = request.GET.get("cite_passage", "")
    if request.method != "GET" or not passage_id.isdigit():
        return None
    passage = Passage.objects.filter(pk=int(passage_id)).first()
    if passage is None:
        return None
    return {
        "document": passage.document_id,
        "line_start": passage.line_start,
        "line_end": passage.line_end,
        "excerpt": request.GET.get("cite_excerpt", "")[:2000],
        "locator": passage.section[:300],
    }
