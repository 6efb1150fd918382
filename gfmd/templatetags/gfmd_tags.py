"""Template helpers of the site."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from gfmd.lib.history import public_changes
from gfmd.lib.review_admin import review_queue as admin_review_queue

register = template.Library()


@register.simple_tag
def cited_documents(citations):
    """The distinct documents a record's (prefetched) citations come from, in order."""
    seen = {}
    for citation in citations:
        seen.setdefault(citation.document_id, citation.document)
    return list(seen.values())


@register.filter
def highlighted(snippet):
    """A search snippet safe to show: everything escaped except the <mark> the database added."""
    text = escape(snippet or "")
    return mark_safe(text.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


@register.simple_tag(takes_context=True)
def toggle_url(context, name, value):
    """The current list URL with one facet value added or removed, back on page one."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    values = params.getlist(name)
    value = str(value)
    params.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def paragraphs(text):
    """Split stored text into paragraphs on blank lines."""
    return [part.strip() for part in (text or "").split("\n\n") if part.strip()]


@register.simple_tag
def admin_change_url(record):
    """The admin page that edits `record` (for signed-in curators)."""
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])


@register.simple_tag
def record_changes(record, limit=5):
    """The latest changes of a record for its public page (gfmd.lib.history.public_changes)."""
    if not hasattr(record, "history"):
        return []
    return public_changes(record, limit)


@register.simple_tag
def report_problem_url(record):
    """Where a visitor reports a problem with `record` (gfmd.curation)."""
    content_type = ContentType.objects.get_for_model(record)  # cached per process
    return reverse("report-problem", args=[content_type.pk, record.pk])


@register.simple_tag
def passage_text(passage, excerpts=()):
    """A passage's text as a reader sees it (line breaks and emphasis markers of the extraction
    dropped, everything escaped), with each quoted excerpt found in it in <mark>."""
    text = " ".join((passage.text or "").replace("*", "").split())
    spans = []
    for excerpt in excerpts or ():
        wanted = " ".join(excerpt.replace("*", "").split())
        start = text.find(wanted) if wanted else -1
        if start >= 0:
            spans.append((start, start + len(wanted)))
    spans.sort()
    parts, done = [], 0
    for start, end in spans:
        start = max(start, done)
        if start >= end:
            continue
        parts += [escape(text[done:start]), "<mark>", escape(text[start:end]), "</mark>"]
        done = end
    parts.append(escape(text[done:]))
    return mark_safe("".join(str(part) for part in parts))


@register.simple_tag(takes_context=True)
def review_queue(context):
    """The drafts and records in review of every kind the signed-in curator may change, for the
    admin's index page (gfmd.lib.review_admin.review_queue)."""
    user = context["request"].user
    return [row for row in admin_review_queue() if user.has_perm(row["perm"])]
