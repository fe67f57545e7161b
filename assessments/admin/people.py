"""People (read-only, with the subject-access export) and the ATAS list versions (add, edit,
import a dated CSV)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from ukcn.refusals import Refusal

from ..audit import audit_record, client_ip
from ..models import AtasCertificate, AtasListVersion, Declaration, Person
from ..people.export import dumps, people_subject_access_export
from ..people.reference import atas_version_import
from .readonly import ReadOnlyAdmin


class AtasImportForm(forms.Form):
    file = forms.FileField(help_text="CSV, UTF-8: list,code")
    label = forms.CharField(max_length=200, help_text="e.g. Appendix ATAS, HC 217")
    effective_from = forms.DateField(help_text="YYYY-MM-DD: the day these lists apply from")
    source = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    complete = forms.BooleanField(
        required=False, help_text="Tick only if these are the full Appendix ATAS lists."
    )


@admin.register(AtasListVersion)
class AtasListVersionAdmin(admin.ModelAdmin):
    list_display = ["label", "effective_from", "complete", "loaded_by", "loaded_at"]
    readonly_fields = ["loaded_by", "loaded_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.loaded_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="atas_list_saved",
            summary=f"ATAS lists {obj} {'edited' if change else 'added'} in the admin",
            obj=obj,
            changes={"fields_changed": sorted(form.changed_data)},
            ip=client_ip(request),
        )

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="assessments_ataslistversion_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AtasImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8")
                version = atas_version_import(
                    text=text,
                    label=form.cleaned_data["label"],
                    effective_from=form.cleaned_data["effective_from"],
                    source=form.cleaned_data["source"],
                    complete=form.cleaned_data["complete"],
                    actor=request.user,
                    ip=client_ip(request),
                )
            except UnicodeDecodeError:
                form.add_error("file", "The file is not UTF-8 text.")
            except Refusal as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Loaded {version}.")
                return redirect("admin:assessments_ataslistversion_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import ATAS lists from a CSV",
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/assessments/ataslistversion/import.html", context)


class CertificateInline(admin.TabularInline):
    model = AtasCertificate
    extra = 0
    can_delete = False
    fields = ["reference", "issued_on", "expires_on", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DeclarationInline(admin.TabularInline):
    model = Declaration
    extra = 0
    can_delete = False
    fields = ["kind", "organisation", "details", "declared_on", "entered_by", "entered_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Read-only: people change through the request's people page, which audits each change."""

    list_display = ["__str__", "request", "start_date", "erased_at"]
    list_filter = ["category", "immigration_route"]
    search_fields = ["name", "request__reference"]
    list_select_related = ["request"]
    inlines = [CertificateInline, DeclarationInline]
    actions = ["subject_access_export"]

    @admin.action(description="Subject-access export of the selected people (JSON)")
    def subject_access_export(self, request, queryset):
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = people_subject_access_export(
            people=queryset.select_related("request"),
            actor=request.user,
            channel="admin",
            ip=client_ip(request),
        )
        response = HttpResponse(dumps(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="subject-access-export.json"'
        return response
