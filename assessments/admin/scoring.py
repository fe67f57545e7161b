"""The scoring policy in the admin: saving a change publishes a new version, with history."""

import json

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from ..models import Assessment, ScoringPolicy, Sector
from ..scoring.points import TIER_LABELS, PolicyError, policy_validate
from ..scoring.policy import LEVEL_LABELS, PARTNER_LEVELS, SENSITIVITY_LEVELS, TIMES, policy_schema
from ..scoring.versions import scoring_policy_active, scoring_policy_publish


class PrettyJSONField(forms.JSONField):
    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, indent=2, ensure_ascii=False)


def _matrix_field_name(sensitivity: str, partner: str) -> str:
    return f"matrix__{sensitivity}__{partner}"


MATRIX_FIELDS = [
    _matrix_field_name(sensitivity, partner)
    for sensitivity in SENSITIVITY_LEVELS
    for partner in PARTNER_LEVELS
]


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
        matrix = (self.initial.get("data") or {}).get("matrix") or {}
        for sensitivity in SENSITIVITY_LEVELS:
            for partner in PARTNER_LEVELS:
                name = _matrix_field_name(sensitivity, partner)
                if name not in self.fields:
                    continue
                self.fields[name].initial = matrix.get(sensitivity, {}).get(partner, "")

    def _matrix_from_grid(self, data: dict) -> dict:
        """The policy with the cells changed in the grid (schema 2 only); the grid wins over
        the JSON for a cell only where the cell itself was changed."""
        if not isinstance(data, dict) or policy_schema(data) != 2:
            return data
        matrix = data.get("matrix")
        if not isinstance(matrix, dict):
            return data
        matrix = {key: dict(row) if isinstance(row, dict) else row for key, row in matrix.items()}
        for sensitivity in SENSITIVITY_LEVELS:
            for partner in PARTNER_LEVELS:
                name = _matrix_field_name(sensitivity, partner)
                value = self.cleaned_data.get(name) or ""
                if (
                    value
                    and name in self.changed_data
                    and isinstance(matrix.get(sensitivity), dict)
                ):
                    matrix[sensitivity][partner] = value
        return {**data, "matrix": matrix}

    def clean(self):
        cleaned = super().clean()
        data = cleaned.get("data")
        if data is None:
            return cleaned
        data = self._matrix_from_grid(data)
        try:
            policy_validate(data)
        except PolicyError as exc:
            self.add_error("data", forms.ValidationError(exc.messages, code="invalid_policy"))
            return cleaned
        if policy_schema(data) == 2:
            where, by_sector = "sensitivity.nsi_sector.by_sector", data["sensitivity"]
        else:
            where, by_sector = "weights.nsi_sector.by_sector", data["weights"]
        by_sector = by_sector["nsi_sector"].get("by_sector", {})
        unknown = sorted(set(by_sector) - set(Sector.objects.values_list("code", flat=True)))
        if unknown:
            self.add_error(
                "data",
                forms.ValidationError(
                    f"{where}: {', '.join(unknown)} "
                    f"{'is not a sector code' if len(unknown) == 1 else 'are not sector codes'}.",
                    code="unknown_sector",
                ),
            )
        cleaned["data"] = data
        return cleaned


for _sensitivity in SENSITIVITY_LEVELS:
    for _partner in PARTNER_LEVELS:
        # Declared after the class so the 16 cells need not be written out by hand; the
        # admin builds its form from declared_fields, hence both.
        _cell = forms.ChoiceField(
            label=f"Sensitivity {LEVEL_LABELS[_sensitivity]} {TIMES} partner risk "
            f"{LEVEL_LABELS[_partner]}",
            choices=[("", "\u2014"), *TIER_LABELS.items()],
            required=False,
            help_text="The tier of this cell (two-axis policies; saved as a new version).",
        )
        ScoringPolicyForm.declared_fields[_matrix_field_name(_sensitivity, _partner)] = _cell
        ScoringPolicyForm.base_fields[_matrix_field_name(_sensitivity, _partner)] = _cell


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(SimpleHistoryAdmin):
    """Each save makes a new, active version; earlier versions stay as they were."""

    form = ScoringPolicyForm
    list_display = ["number", "name", "is_active", "note", "created_at", "created_by"]
    list_filter = ["is_active"]
    readonly_fields = ["number", "is_active", "source", "created_at", "created_by"]
    fieldsets = [
        (None, {"fields": ["name", "note", "data", *readonly_fields]}),
        (
            f"Matrix (two-axis policies): sensitivity {TIMES} partner risk → tier",
            {
                "fields": MATRIX_FIELDS,
                "description": "Change a cell here or in the policy's 'matrix' above; the "
                "grid wins where it was changed. A riskier cell may not give a lower tier.",
            },
        ),
    ]
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

    list_display = ["request", "tier", "outcome", "residual", "floor", "policy", "created_at"]
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
