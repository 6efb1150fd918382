"""The curators' queue of proposals and problem reports: accept, ask for more, or decline, with a
note (gfmd.curation.submissions)."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from gfmd.curation import submissions
from gfmd.curation.models import ProblemReport, Proposal, SubmissionStatus

STEPS = {
    "_accept": SubmissionStatus.ACCEPTED,
    "_needs_info": SubmissionStatus.NEEDS_INFO,
    "_decline": SubmissionStatus.DECLINED,
}


class SubmissionAdmin(admin.ModelAdmin):
    list_filter = ["status"]
    show_facets = admin.ShowFacets.ALWAYS  # the queue's counts beside each status
    search_fields = ["reference", "name", "email"]
    change_form_template = "admin/curation/submission_change_form.html"
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        return False  # they come from the public forms

    def get_readonly_fields(self, request, obj=None):
        return [
            f.name
            for f in self.model._meta.get_fields()
            if f.name != "curator_note" and (f.concrete or f.many_to_many) and not f.auto_created
        ]

    def response_change(self, request, obj):
        step = next((STEPS[name] for name in STEPS if name in request.POST), None)
        if step is None:
            return super().response_change(request, obj)
        note = request.POST.get("curator_note", "").strip()
        try:
            if step == SubmissionStatus.ACCEPTED and isinstance(obj, Proposal):
                practice = submissions.proposal_accept(proposal=obj, user=request.user, note=note)
                self.message_user(
                    request,
                    format_html(
                        'Accepted: the draft practice <a href="{}">{}</a> was made; it is '
                        "published once it has been reviewed.",
                        reverse("admin:practices_practice_change", args=[practice.pk]),
                        practice,
                    ),
                    messages.SUCCESS,
                )
            elif step == SubmissionStatus.ACCEPTED and obj.record is not None:
                submissions.submission_set_status(
                    submission=obj, status=step, user=request.user, note=note
                )
                return self.correct_record(request, obj)
            else:
                submissions.submission_set_status(
                    submission=obj, status=step, user=request.user, note=note
                )
                self.message_user(request, f"{obj}: {obj.get_status_display()}.", messages.SUCCESS)
        except submissions.HandlingRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.path)
        return HttpResponseRedirect(
            reverse(f"admin:curation_{self.model._meta.model_name}_changelist")
        )


@admin.register(Proposal)
class ProposalAdmin(SubmissionAdmin):
    list_display = ["reference", "title", "status", "submitted_at", "practice"]
    search_fields = [*SubmissionAdmin.search_fields, "title", "description"]

    def get_urls(self):
        return [
            path(
                "<int:pk>/file/",
                self.admin_site.admin_view(self.file_view),
                name="curation_proposal_file",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request, pk):
        """The uploaded document, for curators only (uploads are never served publicly)."""
        proposal = self.get_object(request, str(pk))
        if proposal is None or not proposal.source_file:
            raise Http404("No uploaded document.")
        if not self.has_view_permission(request, proposal):
            raise PermissionDenied
        return FileResponse(proposal.source_file.open("rb"), as_attachment=True)


@admin.register(ProblemReport)
class ProblemReportAdmin(SubmissionAdmin):
    def correct_record(self, request, report):
        """An accepted report opens the record's change form, with the report beside it and a
        change reason naming it, so that saving the correction makes a new version of the
        record whose history (and public changes list) says where it came from. The edit goes
        live as every edit of a published record does; a draft stays a draft."""
        record = report.record
        meta = record._meta
        self.message_user(
            request,
            format_html(
                "Accepted {}: correct the record below and save. What is wrong: {} "
                "The correct information: {} Its source: {}",
                report.reference,
                report.problem,
                report.correction or "not given.",
                report.source or "not given.",
            ),
            messages.INFO,
        )
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])
        reason = f"Correction from problem report {report.reference}"
        return HttpResponseRedirect(f"{url}?{urlencode({'change_reason': reason})}")

    list_display = ["reference", "record_link", "status", "submitted_at"]
    list_select_related = ["content_type"]
    search_fields = [*SubmissionAdmin.search_fields, "problem", "correction"]

    @admin.display(description="Record")
    def record_link(self, report):
        return f"{report.content_type.name} #{report.object_id}"
