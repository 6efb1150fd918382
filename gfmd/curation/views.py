"""The public's forms: propose a practice, report a problem with a record, and the confirmation
page with the reference number. Nothing sent is shown publicly before a curator accepts it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from gfmd.curation.forms import ProblemReportForm, ProposalForm
from gfmd.curation.models import ProblemReport, Proposal
from gfmd.lib.ratelimit import allow

RATE_LIMITED = _(
    "Too many proposals and reports have come from your address in a short time. Nothing was "
    "saved: please try again later."
)


def _limited(request) -> bool:
    return request.method == "POST" and not allow(
        "submission", request, settings.GFMD_SUBMISSION_RATE
    )


@never_cache
def propose(request):
    form = ProposalForm(request.POST or None, request.FILES or None)
    if _limited(request):
        return render(
            request, "curation/propose.html", {"form": form, "error": RATE_LIMITED}, status=429
        )
    if request.method == "POST":
        if form.is_valid():
            proposal = form.save()
            return redirect("submission-received", reference=proposal.reference)
        return render(request, "curation/propose.html", {"form": form}, status=400)
    return render(request, "curation/propose.html", {"form": form})


def _public_record(content_type_id: int, pk: int):
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    if model is None or not hasattr(model, "get_absolute_url") or not hasattr(model, "history"):
        raise Http404("No such record.")
    manager = model._default_manager
    queryset = manager.published() if hasattr(manager, "published") else manager.all()
    return content_type, get_object_or_404(queryset, pk=pk)


@never_cache
def report_problem(request, content_type_id: int, pk: int):
    content_type, record = _public_record(content_type_id, pk)
    form = ProblemReportForm(request.POST or None)
    context = {"form": form, "record": record}
    if _limited(request):
        return render(
            request, "curation/report.html", {**context, "error": RATE_LIMITED}, status=429
        )
    if request.method == "POST":
        if form.is_valid():
            report = form.save(commit=False)
            report.content_type = content_type
            report.object_id = record.pk
            report.save()
            return redirect("submission-received", reference=report.reference)
        return render(request, "curation/report.html", context, status=400)
    return render(request, "curation/report.html", context)


def received(request, reference: str):
    model = Proposal if reference.startswith("P-") else ProblemReport
    submission = get_object_or_404(model.objects.only("reference"), reference=reference)
    return render(request, "curation/received.html", {"submission": submission, "kind": model})
