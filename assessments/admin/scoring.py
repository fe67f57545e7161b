"""The scoring policy in the admin: saving a change publishes a new version, with history."""

import json

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from ..models import Assessment, ScoringPolicy, Sector
from ..policies import scoring_policy_active, scoring_policy_publish
from ..scoring import PolicyError, policy_validate


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


class ScoringPolicyForm(forms.ModelForm):
    data = PrettyJSONField(
        label="Policy",
        widget=forms.Textarea(attrs={"rows": 40, "cols": 100, "spellcheck": "false"}),
        help_text=ScoringPolicy._meta.get_field("data").help_text,
    )

    class Meta:
        model = ScoringPolicy
        fields = ["name", "note", "data"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["note"] = ""  # a note describes this change, not the version it edits

    def clean_data(self):
        data = self.cleaned_data["data"]
        try:
            policy_validate(data)
        except PolicyError as exc:
            raise forms.ValidationError(exc.messages, code="invalid_policy") from None
        by_sector = data["weights"]["nsi_sector"].get("by_sector", {})
        unknown = sorted(set(by_sector) - set(Sector.objects.values_list("code", flat=True)))
        if unknown:
            raise forms.ValidationError(
                f"weights.nsi_sector.by_sector: {', '.join(unknown)} "
                f"{'is not a sector code' if len(unknown) == 1 else 'are not sector codes'}.",
                code="unknown_sector",
            )
        return data


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(SimpleHistoryAdmin):
    """Each save makes a new, active version; earlier versions stay as they were."""

    form = ScoringPolicyForm
    list_display = ["number", "name", "is_active", "note", "created_at", "created_by"]
    list_filter = ["is_active"]
    readonly_fields = ["number", "is_active", "source", "created_at", "created_by"]
    fields = ["name", "note", "data", *readonly_fields]
    actions = ["make_active_again"]

    def get_changeform_initial_data(self, request):
        active = scoring_policy_active()
        if active is None:
            return super().get_changeform_initial_data(request)
        return {"name": active.name, "data": active.data}

    def has_delete_permission(self, request, obj=None):
        return False  # assessments point at policy versions; they must stay explainable

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        replaced = obj.number if change else None
        published = scoring_policy_publish(
            data=form.cleaned_data["data"],
            name=form.cleaned_data["name"],
            note=form.cleaned_data["note"] or ("Edited in the admin" if change else ""),
            actor=request.user,
            source="admin",
        )
        # The admin carries on with `obj` (log entry, redirect): make it the new version.
        for field in ScoringPolicy._meta.concrete_fields:
            setattr(obj, field.attname, getattr(published, field.attname))
        obj._state.adding = False
        if replaced is not None:
            self.message_user(
                request,
                f"Saved as version {published.number}, now active; version {replaced} is kept "
                "unchanged for the assessments made under it.",
                messages.INFO,
            )

    @admin.action(description="Make the selected version active again (as a new version)")
    def make_active_again(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one version.", messages.ERROR)
            return
        old = queryset.get()
        with transaction.atomic():
            published = scoring_policy_publish(
                data=old.data,
                name=old.name,
                note=f"Copy of version {old.number}",
                actor=request.user,
                source="admin",
            )
        self.message_user(
            request, f"Version {old.number} is active again as version {published.number}."
        )


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Snapshots: read-only, because a past decision must stay explainable as it was made."""

    list_display = ["request", "tier", "residual", "floor", "policy", "created_at", "created_by"]
    list_filter = ["tier", "not_permissible_without_exception"]
    search_fields = ["request__reference", "request__title"]
    list_select_related = ["request", "policy", "created_by"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
