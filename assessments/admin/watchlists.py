"""Watchlists in the admin: import a file or a URL, versions and their diff, searchable entries."""

import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from ukcn.refusals import Refusal

from ..audit import client_ip
from ..models import (
    EntryRiskOverride,
    RiskLevel,
    Watchlist,
    WatchlistEntry,
    WatchlistImport,
    WatchlistVersion,
)
from ..watchlists.diff import watchlist_version_diff
from ..watchlists.importers import ImportFormatError, importers_available
from ..watchlists.importers.ukcn_csv import mapping_parse
from ..watchlists.loader import watchlist_create, watchlist_delete, watchlist_update
from ..watchlists.overrides import entry_risk, entry_risk_override_set
from ..watchlists.tasks import import_waiting_note, watchlist_import_queue
from .readonly import ReadOnlyAdmin


class ImportedRecordAdmin(ReadOnlyAdmin):
    """Imported data never changes by hand: versions, entries and imports are records."""

    hidden_fields = ("data",)


class WatchlistImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="The list as published (CSV, JSON, HTML).")
    url = forms.URLField(
        required=False,
        label="or a URL",
        assume_scheme="https",
        help_text="https only, fetched by the worker.",
    )
    format = forms.ChoiceField(help_text="How to read the file.")
    mapping = forms.CharField(
        required=False,
        label="Column mapping (csv only)",
        help_text="e.g. name=Title,aliases=Also known as",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [
            (name, f"{name}: {importer.label}")
            for name, importer in sorted(importers_available().items())
        ]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = settings.WATCHLIST_MAX_BYTES
        if upload and upload.size > limit:
            raise forms.ValidationError(
                f"The file is too large ({upload.size} bytes; the limit is {limit}).",
                code="too_large",
            )
        return upload

    def clean_mapping(self):
        try:
            return mapping_parse(self.cleaned_data["mapping"])
        except ImportFormatError as exc:
            raise forms.ValidationError(str(exc), code="bad_mapping") from None

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool(cleaned.get("url")):
            raise forms.ValidationError(
                "Upload a file or give a URL (one of the two).", code="source"
            )
        return cleaned


class VersionInline(admin.TabularInline):
    model = WatchlistVersion
    fields = [
        "version_link",
        "status",
        "created_at",
        "source",
        "entry_count",
        "added_count",
        "removed_count",
        "changed_count",
        "error",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="version")
    def version_link(self, obj):
        url = reverse("admin:assessments_watchlistversion_change", args=[obj.pk])
        return format_html('<a href="{}">v{}</a>', url, obj.number)


@admin.register(Watchlist)
class WatchlistAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "publisher",
        "format",
        "active_version",
        "refresh_interval",
        "last_check",
        "blocking",
        "legal_effect",
        "is_active",
    ]
    list_filter = ["format", "blocking", "legal_effect", "is_active", "last_check_outcome"]
    search_fields = ["name", "publisher"]
    readonly_fields = ["last_checked_at", "last_check_outcome", "last_check_message"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "publisher",
                    "licence",
                    "homepage",
                    "format",
                    "blocking",
                    "legal_effect",
                    "default_risk_level",
                    "is_active",
                ]
            },
        ),
        (
            "Automatic refresh",
            {
                "description": (
                    "run_scheduled fetches the source URL again once the interval has passed "
                    "since the last check: a changed file becomes a new version (and partners "
                    "are re-screened), an unchanged one is recorded as checked."
                ),
                "fields": [
                    "source_url",
                    "refresh_interval",
                    "last_checked_at",
                    "last_check_outcome",
                    "last_check_message",
                ],
            },
        ),
    ]
    inlines = [VersionInline]
    change_form_template = "admin/assessments/watchlist/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        changed = {name: form.cleaned_data.get(name) for name in form.changed_data}
        if change:
            watchlist_update(
                actor=request.user, watchlist=obj, changed=changed, ip=client_ip(request)
            )
            return
        fields = {
            f.name: getattr(obj, f.name)
            for f in Watchlist._meta.concrete_fields
            if f.name in form.cleaned_data and f.name not in {"name", "format"}
        }
        created = watchlist_create(
            actor=request.user, name=obj.name, format=obj.format, ip=client_ip(request), **fields
        )
        obj.pk = created.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        watchlist_delete(actor=request.user, watchlist=obj, ip=client_ip(request))

    @admin.display(description="active version")
    def active_version(self, obj):
        version = obj.versions.filter(status=WatchlistVersion.Status.ACTIVE).first()
        if version is None:
            return "none"
        return f"v{version.number} ({version.entry_count} entries)"

    @admin.display(description="last check", ordering="last_checked_at")
    def last_check(self, obj):
        if obj.last_checked_at is None:
            return "never"
        when = date_format(timezone.localtime(obj.last_checked_at), "j M Y H:i")
        return f"{obj.get_last_check_outcome_display() or 'in progress'}, {when}"

    def get_urls(self):
        return [
            path(
                "<int:pk>/import/",
                self.admin_site.admin_view(self.import_view),
                name="assessments_watchlist_import",
            ),
            path(
                "<int:pk>/diff/",
                self.admin_site.admin_view(self.diff_view),
                name="assessments_watchlist_diff",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request, pk):
        watchlist = get_object_or_404(Watchlist, pk=pk)
        if not self.has_change_permission(request, watchlist):
            raise PermissionDenied
        form = WatchlistImportForm(
            request.POST or None, request.FILES or None, initial={"format": watchlist.format}
        )
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            job = watchlist_import_queue(
                watchlist=watchlist,
                importer=form.cleaned_data["format"],
                actor=request.user,
                data=upload.read() if upload else None,
                filename=upload.name if upload else "",
                url=form.cleaned_data["url"],
                options={"mapping": form.cleaned_data["mapping"]},
                ip=client_ip(request),
            )
            messages.info(request, f"Import of {job.source} queued; its progress shows below.")
            return redirect("admin:assessments_watchlistimport_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Import a new version of {watchlist}",
            "opts": self.model._meta,
            "original": watchlist,
            "form": form,
            "recent": _with_waiting_notes(watchlist.imports.all()[:5]),
        }
        return TemplateResponse(request, "admin/assessments/watchlist/import.html", context)

    def diff_view(self, request, pk):
        watchlist = get_object_or_404(Watchlist, pk=pk)
        if not self.has_view_permission(request, watchlist):
            raise PermissionDenied
        versions = list(watchlist.versions.exclude(status=WatchlistVersion.Status.FAILED))
        by_number = {str(v.number): v for v in versions}
        new = by_number.get(request.GET.get("new", "")) or (versions[0] if versions else None)
        old = by_number.get(request.GET.get("old", ""))
        if old is None and new is not None:
            old = next((v for v in versions if v.number < new.number), None)
        diff = watchlist_version_diff(old=old, new=new) if old and new else None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Changes in {watchlist}",
            "opts": self.model._meta,
            "original": watchlist,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": diff,
        }
        return TemplateResponse(request, "admin/assessments/watchlist/diff.html", context)


@admin.register(WatchlistVersion)
class WatchlistVersionAdmin(ImportedRecordAdmin):
    list_display = [
        "__str__",
        "created_at",
        "source",
        "entry_count",
        "added_count",
        "removed_count",
        "changed_count",
        "links",
    ]
    list_filter = ["status", "watchlist"]
    search_fields = ["watchlist__name", "source", "sha256"]
    list_select_related = ["watchlist"]

    @admin.display(description="")
    def links(self, obj):
        entries = (
            reverse("admin:assessments_watchlistentry_changelist") + f"?version__id__exact={obj.pk}"
        )
        diff = (
            reverse("admin:assessments_watchlist_diff", args=[obj.watchlist_id])
            + f"?new={obj.number}"
        )
        return format_html('<a href="{}">entries</a> · <a href="{}">changes</a>', entries, diff)


class EntryRiskForm(forms.Form):
    risk_level = forms.ChoiceField(label="Risk level set by the office", choices=RiskLevel.choices)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(
        max_length=1000,
        help_text="Where the level comes from: the publisher's page (a URL) or a citation.",
    )


def risk_shown(entry: WatchlistEntry) -> str:
    """ "Very high (set by the office; the source says Listed)" or the source's level."""
    level, override = entry_risk(entry)
    if override is None:
        return entry.get_risk_level_display()
    return (
        f"{RiskLevel(level).label} (set by the office; the source says "
        f"{entry.get_risk_level_display()})"
    )


@admin.register(WatchlistEntry)
class WatchlistEntryAdmin(ImportedRecordAdmin):
    list_display = [
        "name",
        "aliases_shown",
        "country",
        "kind",
        "risk",
        "watchlist",
        "version_shown",
    ]
    list_filter = ["risk_level", "kind", "country", "version__watchlist", "version__status"]
    search_fields = ["name", "external_id", "aliases"]
    list_select_related = ["version__watchlist"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ["risk", "office_risk", *super().get_readonly_fields(request, obj)]

    def get_urls(self):
        return [
            path(
                "<int:pk>/risk/",
                self.admin_site.admin_view(self.risk_view),
                name="assessments_watchlistentry_risk",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="risk")
    def risk(self, obj):
        return risk_shown(obj)

    @admin.display(description="set by the office")
    def office_risk(self, obj):
        _level, override = entry_risk(obj)
        url = reverse("admin:assessments_watchlistentry_risk", args=[obj.pk])
        if override is None:
            return format_html('Not set. <a href="{}">Set a risk level</a>', url)
        return format_html(
            '{} by {} on {}: {} (source: {}). <a href="{}">Change</a>',
            override.get_risk_level_display(),
            override.set_by or "the demo loader",
            date_format(timezone.localtime(override.set_at), "j M Y"),
            override.reason,
            override.source,
            url,
        )

    def risk_view(self, request, pk):
        entry = get_object_or_404(
            WatchlistEntry.objects.select_related("version__watchlist"), pk=pk
        )
        if not self.has_view_permission(request, entry):
            raise PermissionDenied
        _level, override = entry_risk(entry)
        initial = (
            {
                "risk_level": override.risk_level,
                "reason": override.reason,
                "source": override.source,
            }
            if override
            else {"risk_level": entry.risk_level}
        )
        form = EntryRiskForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                entry_risk_override_set(
                    actor=request.user, entry=entry, ip=client_ip(request), **form.cleaned_data
                )
            except Refusal as refusal:
                for field, message in refusal.fields.items():
                    form.add_error(field if field in form.fields else None, message)
                if not refusal.fields:
                    form.add_error(None, refusal.message)
            else:
                messages.success(request, f"Risk level of {entry} set by the office.")
                return redirect("admin:assessments_watchlistentry_change", entry.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Set the risk level of {entry}",
            "opts": self.model._meta,
            "original": entry,
            "form": form,
            "source_level": entry.get_risk_level_display(),
        }
        return TemplateResponse(request, "admin/assessments/watchlistentry/risk.html", context)

    @admin.display(description="watchlist")
    def watchlist(self, obj):
        return obj.version.watchlist

    @admin.display(description="version")
    def version_shown(self, obj):
        return f"v{obj.version.number} ({obj.version.get_status_display()})"

    @admin.display(description="aliases")
    def aliases_shown(self, obj):
        return "; ".join(obj.aliases[:6])

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and not term.isascii():
            # SQLite keeps JSON with non-ASCII escaped (\\uXXXX): look for that spelling too.
            escaped = json.dumps(term)[1:-1]
            queryset |= self.model.objects.filter(Q(aliases__icontains=escaped))
        return queryset, duplicates


@admin.register(EntryRiskOverride)
class EntryRiskOverrideAdmin(ImportedRecordAdmin):
    """The risk levels the office has set; each is changed on its entry and audited."""

    list_display = [
        "entry_name",
        "watchlist",
        "risk_level",
        "source_risk_level",
        "set_by",
        "set_at",
    ]
    list_filter = ["watchlist", "risk_level"]
    search_fields = ["entry_name", "external_id", "reason", "source"]


def _with_waiting_notes(jobs) -> list:
    jobs = list(jobs)
    for job in jobs:
        job.waiting_note = import_waiting_note(job)
    return jobs


@admin.register(WatchlistImport)
class WatchlistImportAdmin(ImportedRecordAdmin):
    """Background imports: where each one is (stage, rows processed) and how it ended."""

    list_display = ["requested_at", "watchlist", "source", "status", "progress", "outcome"]
    list_filter = ["status", "watchlist"]
    list_select_related = ["watchlist"]
    fields = [
        "watchlist",
        "source",
        "status",
        "progress",
        "stage",
        "rows_done",
        "message",
        "version",
        "requested_by",
        "requested_at",
        "started_at",
        "finished_at",
        "importer",
        "options",
        "url",
        "task_id",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description="progress")
    def progress(self, obj):
        progress = f"{obj.stage or 'waiting'}: {obj.rows_done} rows"
        note = import_waiting_note(obj)
        return f"{progress}. {note}" if note else progress

    @admin.display(description="outcome")
    def outcome(self, obj):
        return obj.message if len(obj.message) <= 90 else obj.message[:89] + "…"
