"""The admin's side of complete history: a change reason on every edit, relations and citations in
the history's differences, revert to any version, and deleted records listed and restorable.

`HistoryAdminMixin` goes before django-simple-history's `SimpleHistoryAdmin` in a model admin;
`ChangeReasonFormMixin` adds the reason to its form. The work itself is in `gfmd.lib.history`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import NestedObjects, quote
from django.core.exceptions import PermissionDenied
from django.db import router
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst

from gfmd.lib import history

REASON_HELP = "Optional: why you made this change. It is kept in the history and shown publicly."


class ChangeReasonFormMixin(forms.Form):
    change_reason = forms.CharField(
        label="Change reason",
        required=False,
        max_length=history.REASON_MAX_LENGTH,
        help_text=REASON_HELP,
    )


class RevertForm(forms.Form):
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    change_reason = ChangeReasonFormMixin.base_fields["change_reason"]


class HistoryAdminMixin:
    change_list_template = "admin/history/change_list.html"
    fields_first = ("title", "name", "slug", "summary")
    history_excluded_from_diff = ("version", "relations")
    history_list_display = ["version"]

    # -- every edit: reason, user, relations and citations in the history row --------------

    def get_fields(self, request, obj=None):
        """What a record is comes first (title, summary), the curator's note and the reason for
        the change last."""
        fields = list(super().get_fields(request, obj))
        first = [f for f in self.fields_first if f in fields]
        last = [f for f in ("curator_note", "change_reason") if f in fields]
        middle = [f for f in fields if f not in first and f not in last]
        return [*first, *middle, *last]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # A change form opened with ?change_reason=… (from a problem report being accepted)
        # starts with that reason, which the curator may change.
        reason = request.GET.get("change_reason", "")[: history.REASON_MAX_LENGTH]
        adminform = context.get("adminform")
        if reason and request.method == "GET" and adminform is not None:
            field = adminform.form.fields.get("change_reason")
            if field is not None:
                field.initial = reason
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        history.record_snapshot(
            form.instance, reason=form.cleaned_data.get("change_reason"), user=request.user
        )

    # -- history view: relation and citation changes as readable differences ---------------

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=list(self.history_excluded_from_diff),
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                changes = list(helper.context_for_delta_changes(delta))
                changes += history.relation_changes(
                    self.model, current.relations, previous.relations
                )
                previous.history_delta_changes = changes
            previous = current

    # -- revert: the record as it was at a version, saved as a new version ---------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("No such record.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        row = self.model.history.filter(id=obj.pk, history_id=version_id).first()
        if row is None:
            raise Http404("No such version of this record.")
        form = RevertForm(request.POST or None, initial={"loaded_version": obj.version})
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                outcome = history.revert_record(
                    self.model,
                    obj.pk,
                    to_version=row.version,
                    loaded_version=form.cleaned_data["loaded_version"],
                    user=request.user,
                    reason=form.cleaned_data["change_reason"],
                )
            except history.RevertRefused as exc:
                form.add_error(None, str(exc))
                status = 409 if exc.conflict else 400
            else:
                self._report(request, outcome, f"Reverted to version {row.version}")
                return HttpResponseRedirect(reverse(self._url_name("change"), args=[quote(obj.pk)]))
        current_row = history.latest_row(obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"Revert {obj} to version {row.version}",
            "row": row,
            "form": form,
            "changes": self._differences(row, current_row),
            "history_url": reverse(self._url_name("history"), args=[quote(obj.pk)]),
        }
        return TemplateResponse(request, "admin/history/revert.html", context, status=status)

    def _differences(self, old, new) -> list[dict]:
        """What the revert changes: the current values (`new`) back to the old ones."""
        if new is None:
            return []
        delta = new.diff_against(old, excluded_fields=list(self.history_excluded_from_diff))
        changes = [
            {
                "field": capfirst(self.model._meta.get_field(c.field).verbose_name),
                "now": c.new,
                "then": c.old,
            }
            for c in delta.changes
        ]
        for change in history.relation_changes(
            self.model, history.snapshot_before(new), history.snapshot_before(old)
        ):
            changes.append(
                {"field": capfirst(change["field"]), "now": change["new"], "then": change["old"]}
            )
        return changes

    def _report(self, request, outcome, done: str) -> None:
        self.message_user(
            request,
            f"{done}: {outcome.instance} is now version {outcome.instance.version}.",
            messages.SUCCESS,
        )
        for missing in outcome.missing:
            self.message_user(request, f"Not restored: {missing}.", messages.WARNING)

    def _url_name(self, view: str) -> str:
        opts = self.model._meta
        return f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{view}"

    # -- deletion: relations and citations kept; readable list of what goes with it ---------

    def delete_model(self, request, obj):
        history.delete_record(obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            history.delete_record(obj, user=request.user)

    def get_deleted_objects(self, objs, request):
        """As Django's, with the links of a many-to-many relation named by what they join
        ("Country link: Philippines"), not "Practice_countries object (94)"."""
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)

        def describe(obj):
            meta = obj._meta
            if meta.auto_created:
                target = next(
                    (f for f in meta.fields if f.is_relation and f.related_model is not self.model),
                    None,
                )
                if target is not None:
                    name = capfirst(target.related_model._meta.verbose_name)
                    return f"{name} link: {getattr(obj, target.name)}"
            return f"{capfirst(meta.verbose_name)}: {obj}"

        readable = collector.nested(describe)
        if any(obj._meta.auto_created for objs_ in collector.data.values() for obj in objs_):
            to_delete = readable
        return to_delete, model_count, perms_needed, protected

    # -- deleted records: listed, and restored with their relations and citations ----------

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=f"{name}_deleted",
            ),
            path(
                "deleted/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{name}_restore",
            ),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        rows = list(history.deleted_rows(self.model)[:200])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Deleted {self.model._meta.verbose_name_plural}",
            "rows": rows,
        }
        return TemplateResponse(request, "admin/history/deleted.html", context)

    def restore_view(self, request, history_id):
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(reverse(self._url_name("deleted")))
        try:
            outcome = history.restore_record(self.model, history_id, user=request.user)
        except history.RevertRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse(self._url_name("deleted")))
        self._report(request, outcome, "Restored")
        return HttpResponseRedirect(
            reverse(self._url_name("change"), args=[quote(outcome.instance.pk)])
        )
