"""Curation in the admin: guidance editors and admins create, edit, publish and archive."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from assessments.audit import client_ip
from assessments.scoring.factors import Factor

from .feed import item_content, payload_from_json
from .models import Audience, GuidanceItem, RiskArea, SyncConflict, Topic
from .rendering import render_markdown
from .services import (
    conflict_resolve,
    guidance_archive,
    guidance_item_save,
    guidance_items_delete,
    guidance_mark_reviewed,
    guidance_publish,
)


class CountriesField(forms.CharField):
    """Two-letter country codes typed as "CN, GB", stored as a list."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [code.strip().upper() for code in text.replace(";", ",").split(",") if code.strip()]


class GuidanceItemForm(forms.ModelForm):
    audience = forms.MultipleChoiceField(
        choices=Audience.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    risk_areas = forms.MultipleChoiceField(
        choices=RiskArea.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    factors = forms.MultipleChoiceField(
        label="Risk factors",
        choices=Factor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    external_url = forms.URLField(label="External link", required=False, assume_scheme="https")
    countries = CountriesField(
        required=False, help_text="Two-letter ISO codes separated by commas, e.g. CN, GB."
    )

    class Meta:
        model = GuidanceItem
        fields = [
            "title",
            "slug",
            "ref_id",
            "summary",
            "kind",
            "body",
            "source_organisation",
            "external_url",
            "owner",
            "audience",
            "topics",
            "risk_areas",
            "sectors",
            "countries",
            "checklist_items",
            "factors",
            "watchlists",
            "review_by",
            "share_with_peers",
        ]

    def clean_ref_id(self):
        ref_id = self.cleaned_data["ref_id"]
        source = self.instance.source_institution or settings.GUIDANCE_INSTITUTION
        clash = GuidanceItem.objects.filter(source_institution=source, ref_id=ref_id)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "Another item already uses this reference id.", code="duplicate_ref_id"
            )
        return ref_id


class OverdueReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue for review"), ("current", "Up to date")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "current":
            return queryset.filter(review_by__gte=timezone.localdate())
        return queryset


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(GuidanceItem)
class GuidanceItemAdmin(SimpleHistoryAdmin):
    form = GuidanceItemForm
    # Few, short columns so the list fits a laptop screen beside the admin's menu; the source
    # and the dates are filters and on the item's page.
    list_display = ["title", "ref_id", "kind", "status", "review"]
    list_filter = [
        "kind",
        "status",
        "topics",
        "sectors",
        "source_organisation",
        OverdueReviewFilter,
        "source_institution",
    ]
    search_fields = ["title", "summary", "body", "ref_id"]
    autocomplete_fields = ["checklist_items", "topics"]
    filter_horizontal = ["sectors", "watchlists"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "status",
        "published_at",
        "source_institution",
        "updated_at",
        "body_preview",
    ]
    actions = ["publish", "archive", "mark_reviewed"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "ref_id", "summary", "kind", "status"]}),
        ("Body", {"fields": ["body", "body_preview"]}),
        (
            "Source",
            {"fields": ["source_organisation", "external_url", "source_institution", "owner"]},
        ),
        (
            "Links",
            {
                "fields": [
                    "audience",
                    "topics",
                    "risk_areas",
                    "sectors",
                    "countries",
                    "checklist_items",
                    "factors",
                    "watchlists",
                ]
            },
        ),
        (
            "Lifecycle",
            {"fields": ["review_by", "share_with_peers", "published_at", "updated_at"]},
        ),
    ]

    change_form_template = "admin/guidance/guidanceitem/change_form.html"
    # The item's own page offers the list's actions as buttons: (label, service, permission).
    LIFECYCLE = {
        "publish": ("Publish", guidance_publish, "publish"),
        "archive": ("Archive", guidance_archive, "publish"),
        "mark-reviewed": (
            "Mark reviewed (next review in a year)",
            guidance_mark_reviewed,
            "change",
        ),
    }

    def get_urls(self):
        own = [
            path(
                "<int:pk>/lifecycle/<slug:step>/",
                self.admin_site.admin_view(self.lifecycle_view),
                name="guidance_guidanceitem_lifecycle",
            ),
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="guidance_guidanceitem_preview",
            ),
        ]
        return own + super().get_urls()

    def _may(self, request, permission: str, obj=None) -> bool:
        if permission == "publish":
            return self.has_publish_permission(request)
        return self.has_change_permission(request, obj)

    def lifecycle_view(self, request, pk: int, step: str):
        """Publish, archive or mark reviewed one item from its own page (a POST button)."""
        if request.method != "POST" or step not in self.LIFECYCLE:
            raise Http404("No such step.")
        label, service, permission = self.LIFECYCLE[step]
        item = get_object_or_404(GuidanceItem, pk=pk)
        if not self._may(request, permission, item):
            raise PermissionDenied
        count = service(
            items=GuidanceItem.objects.filter(pk=pk), actor=request.user, ip=client_ip(request)
        )
        if count:
            self.message_user(request, f"{item.title}: {label.lower()} done.", messages.SUCCESS)
        else:
            self.message_user(request, f"{item.title} was already so.", messages.INFO)
        return redirect("admin:guidance_guidanceitem_change", pk)

    def preview_view(self, request):
        """The body as readers will see it, from the form as typed (nothing is saved)."""
        if request.method != "POST":
            raise Http404("Preview a form's body with its Preview button.")
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {request.POST.get('title', '') or 'untitled'}",
            "opts": self.model._meta,
            # render_markdown sanitises with nh3: safe to show as HTML.
            "preview": mark_safe(render_markdown(request.POST.get("body", ""))),  # noqa: S308
        }
        return TemplateResponse(request, "admin/guidance/guidanceitem/preview.html", context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        steps = []
        if obj is not None:
            for step, (label, _service, permission) in self.LIFECYCLE.items():
                if step == "publish" and obj.status == "published":
                    continue
                if step == "archive" and obj.status == "archived":
                    continue
                if self._may(request, permission, obj):
                    url = reverse("admin:guidance_guidanceitem_lifecycle", args=[obj.pk, step])
                    steps.append({"label": label, "url": url})
        context.update(
            lifecycle_steps=steps,
            preview_url=reverse("admin:guidance_guidanceitem_preview"),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def revert_disabled(self, request, obj=None):
        # Earlier versions are for reading; changes go through the form so they are audited.
        return True

    def has_publish_permission(self, request):
        return request.user.has_perm("guidance.publish_guidanceitem")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "ref_id"] if obj is not None else fields

    @admin.display(description="review by", ordering="review_by")
    def review(self, obj):
        if obj.review_by is None:
            return "-"
        day = date_format(obj.review_by, "j M Y")
        return format_html("{} <strong>(overdue)</strong>", day) if obj.is_overdue else day

    @admin.display(description="preview (as last saved)")
    def body_preview(self, obj):
        if obj is None or not obj.body:
            return "Save to see the rendered body."
        # render_markdown sanitises with nh3: safe to show as HTML.
        return mark_safe(f'<div class="guidance-preview">{render_markdown(obj.body)}</div>')  # noqa: S308

    def save_model(self, request, obj, form, change):
        guidance_item_save(
            item=obj,
            created=not change,
            changed=form.changed_data,
            actor=request.user,
            ip=client_ip(request),
        )

    def delete_model(self, request, obj):
        guidance_items_delete(items=[obj], actor=request.user, ip=client_ip(request))

    def delete_queryset(self, request, queryset):
        guidance_items_delete(items=queryset, actor=request.user, ip=client_ip(request))

    @admin.action(description="Publish selected guidance", permissions=["publish"])
    def publish(self, request, queryset):
        count = guidance_publish(items=queryset, actor=request.user, ip=client_ip(request))
        self.message_user(request, f"Published {count} item(s).", messages.SUCCESS)

    @admin.action(description="Archive selected guidance", permissions=["publish"])
    def archive(self, request, queryset):
        count = guidance_archive(items=queryset, actor=request.user, ip=client_ip(request))
        self.message_user(request, f"Archived {count} item(s).", messages.SUCCESS)

    @admin.action(
        description="Mark selected guidance as reviewed (next review in a year)",
        permissions=["change"],
    )
    def mark_reviewed(self, request, queryset):
        count = guidance_mark_reviewed(items=queryset, actor=request.user, ip=client_ip(request))
        self.message_user(request, f"Marked {count} item(s) as reviewed.", messages.SUCCESS)


@admin.register(SyncConflict)
class SyncConflictAdmin(admin.ModelAdmin):
    """Upstream changes to items edited here: an editor takes the peer's version or keeps ours."""

    list_display = ["item", "origin", "detected_at", "resolution", "resolved_by"]
    list_filter = ["resolution"]
    search_fields = ["item__title", "item__ref_id", "origin"]
    actions = ["take_incoming", "keep_local"]
    fields = ["item", "origin", "detected_at", "resolution", "resolved_by", "resolved_at", "diff"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "resolved_by")

    def has_add_permission(self, request):
        return False

    @admin.display(description="differences (here → incoming)")
    def diff(self, obj):
        local = item_content(obj.item)
        incoming = payload_from_json(obj.payload)["content"]
        rows = [
            format_html(
                "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td></tr>",
                name,
                local.get(name),
                value,
            )
            for name, value in incoming.items()
            if local.get(name) != value
        ]
        if not rows:
            return "No differences any more."
        header = "<tr><th scope='col'>Field</th><th scope='col'>Here</th><th scope='col'>Incoming</th></tr>"
        return mark_safe(f"<table>{header}{''.join(rows)}</table>")  # noqa: S308 - rows are escaped

    @admin.action(description="Resolve: take the incoming version", permissions=["change"])
    def take_incoming(self, request, queryset):
        for conflict in queryset.filter(resolution=SyncConflict.Resolution.OPEN):
            conflict_resolve(
                conflict=conflict, actor=request.user, take_incoming=True, ip=client_ip(request)
            )
        self.message_user(request, "Took the incoming version.", messages.SUCCESS)

    @admin.action(description="Resolve: keep the local version", permissions=["change"])
    def keep_local(self, request, queryset):
        for conflict in queryset.filter(resolution=SyncConflict.Resolution.OPEN):
            conflict_resolve(
                conflict=conflict, actor=request.user, take_incoming=False, ip=client_ip(request)
            )
        self.message_user(request, "Kept the local version.", messages.SUCCESS)
