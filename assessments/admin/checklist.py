"""The checklist in the admin: items are edited with history; each edit freezes a new version."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ..audit import client_ip
from ..checklists import checklist_item_save
from ..models import ChecklistItem, ChecklistVersion


@admin.register(ChecklistItem)
class ChecklistItemAdmin(SimpleHistoryAdmin):
    list_display = ["ref_id", "question", "group", "weight", "evidence_required", "is_active"]
    list_display_links = ["ref_id", "question"]
    list_filter = ["group", "evidence_required", "is_active"]
    search_fields = ["ref_id", "question"]
    ordering = ["order", "ref_id"]
    fields = [
        "ref_id",
        "group",
        "question",
        "help_text",
        "weight",
        "evidence_required",
        "order",
        "is_active",
    ]

    def get_readonly_fields(self, request, obj=None):
        # The reference id is what answers, guidance and other institutions point at.
        return ["ref_id"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False  # retire an item ("in use" off) so old versions and links still make sense

    def save_model(self, request, obj, form, change):
        checklist_item_save(
            item=obj,
            changed={name: form.cleaned_data.get(name) for name in form.changed_data},
            created=not change,
            actor=request.user,
            ip=client_ip(request),
        )


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(admin.ModelAdmin):
    """Frozen versions: looked at, never changed."""

    list_display = ["number", "source", "created_at", "created_by", "item_count"]
    readonly_fields = [
        "number",
        "items",
        "sha256",
        "source",
        "source_sha256",
        "created_at",
        "created_by",
    ]

    @admin.display(description="items")
    def item_count(self, obj):
        return len(obj.items)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
