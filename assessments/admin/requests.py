"""Requests and organisations in the admin: read-mostly; requests change only through the workflow."""

from django.contrib import admin
from django.db import models

from ..audit import client_ip
from ..models import (
    Attachment,
    Condition,
    Decision,
    FundingSource,
    Organisation,
    Partner,
    PartnershipRequest,
    Recommendation,
)
from ..workflow import ORGANISATION_FIELDS, organisation_create, organisation_update


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartnerInline(ReadOnlyInline):
    model = Partner


class FundingInline(ReadOnlyInline):
    model = FundingSource


class RecommendationInline(ReadOnlyInline):
    model = Recommendation


class DecisionInline(ReadOnlyInline):
    model = Decision


class ConditionInline(ReadOnlyInline):
    model = Condition
    exclude = ["decision"]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "decision"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    exclude = ["file"]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "file"]


@admin.register(PartnershipRequest)
class PartnershipRequestAdmin(admin.ModelAdmin):
    """Read-only: every change to a request goes through the workflow, which audits it."""

    list_display = ["reference", "title", "department", "status", "tier", "created_at"]
    list_filter = ["status", "tier", "department", "collaboration_type"]
    search_fields = ["reference", "title", "lead_academic", "partners__organisation__name"]
    date_hierarchy = "created_at"
    list_select_related = ["department"]
    inlines = [
        PartnerInline,
        FundingInline,
        RecommendationInline,
        DecisionInline,
        ConditionInline,
        AttachmentInline,
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["sectors", "disciplines"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing stays possible for staff with the view permission; saving never is.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Partner organisations: details may be corrected (e.g. a native-script name)."""

    list_display = ["name", "name_native", "country", "org_type", "city", "identity", "parent"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["needs_resolution", "org_type", "country"]
    search_fields = ["name", "name_native", "city", "search_names"]
    raw_id_fields = ["identity", "parent"]
    actions = ["merge_selected"]

    @admin.action(description="Merge the selected organisations (duplicates) into one")
    def merge_selected(self, request, queryset):
        """Choose the surviving record; a dry run shows what would move; the merge is audited."""
        from django.contrib import messages
        from django.template.response import TemplateResponse

        from ukcn.refusals import Refusal

        from ..organisations.merge import organisation_merge

        selected = list(queryset.order_by("id"))
        plan = error = None
        survivor_id = request.POST.get("survivor", "")
        if survivor_id.isdigit() and "merge_step" in request.POST:
            survivor = next((o for o in selected if o.pk == int(survivor_id)), None)
            if survivor is not None:
                others = [o for o in selected if o.pk != survivor.pk]
                apply = request.POST["merge_step"] == "apply"
                try:
                    plan = organisation_merge(
                        actor=request.user,
                        survivor=survivor,
                        merged=others,
                        dry_run=not apply,
                        ip=client_ip(request),
                    )
                except Refusal as refusal:
                    error = refusal.message
                else:
                    if apply:
                        messages.success(request, plan.sentence())
                        return None
        return TemplateResponse(
            request,
            "admin/assessments/organisation/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge duplicate organisations",
                "organisations": selected,
                "plan": plan,
                "error": error,
                "survivor_id": survivor_id,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def has_delete_permission(self, request, obj=None):
        # Organisations carry request history; they are never deleted.
        return False

    def save_model(self, request, obj, form, change):
        # Through the services, which audit the change: the same events as anywhere else.
        fields = {name: form.cleaned_data.get(name) for name in form.changed_data}
        if change:
            organisation_update(
                actor=request.user, organisation=obj, ip=client_ip(request), **fields
            )
            return
        created = organisation_create(
            actor=request.user,
            ip=client_ip(request),
            **{name: getattr(obj, name) for name in ORGANISATION_FIELDS},
        )
        obj.pk = created.pk
        obj._state.adding = False
