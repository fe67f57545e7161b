"""Watchlists, their immutable imported versions, and the entries in each version."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from ..vocabularies import RiskLevel

# The scheduler looks for lists to refresh every 15 minutes: a shorter interval means nothing.
MIN_REFRESH_INTERVAL = timedelta(minutes=15)


class LegalEffect(models.TextChoices):
    """What a confirmed match on the list means in law (the legal determination comes later)."""

    NONE = "none", "None: information for the assessment"
    RESTRICTED = "restricted", "Restricted: controls or conditions may apply"
    PROHIBITED_UNLESS_LICENSED = "prohibited_unless_licensed", "Prohibited unless licensed"


class EntryKind(models.TextChoices):
    ORGANISATION = "organisation", "Organisation"
    PERSON = "person", "Person"


class Watchlist(models.Model):
    """A list published by someone (ASPI, US government, an internal team) that partners are checked against."""

    class CheckOutcome(models.TextChoices):
        IMPORTED = "imported", "Changed: new version imported"
        UNCHANGED = "unchanged", "Checked: unchanged"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=200, unique=True)
    publisher = models.CharField(max_length=200, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    homepage = models.URLField(blank=True)
    format = models.CharField(max_length=40)
    source_url = models.URLField("source URL", blank=True)
    blocking = models.BooleanField(
        "a confirmed match is blocking",
        default=False,
        help_text="A confirmed match makes the request not permissible without an exception.",
    )
    default_risk_level = models.CharField(
        max_length=20, choices=RiskLevel.choices, default=RiskLevel.LISTED
    )
    legal_effect = models.CharField(
        max_length=40,
        choices=LegalEffect.choices,
        default=LegalEffect.NONE,
        help_text=(
            "What dealing with a listed party means in law: a sanctions list is prohibited "
            "unless licensed. Set by the importer for lists it knows (uk-sanctions)."
        ),
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    refresh_interval = models.DurationField(
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_REFRESH_INTERVAL)],
        help_text=(
            "How often to fetch the source URL again, e.g. 6:00:00 for six hours or "
            "1 00:00:00 for a day (at least 15 minutes). Blank: never refreshed automatically."
        ),
    )
    last_checked_at = models.DateTimeField("last checked", null=True, blank=True, editable=False)
    last_check_outcome = models.CharField(
        max_length=20, choices=CheckOutcome.choices, blank=True, editable=False
    )
    last_check_message = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.refresh_interval is not None and not self.source_url:
            raise ValidationError(
                {"source_url": "Give the source URL to refresh the list from."},
                code="refresh_needs_url",
            )


class WatchlistVersion(models.Model):
    """One import of a watchlist; its entries never change after the import."""

    class Status(models.TextChoices):
        IMPORTING = "importing", "Importing"
        ACTIVE = "active", "Active"
        SUPERSEDED = "superseded", "Superseded"
        FAILED = "failed", "Failed"

    watchlist = models.ForeignKey(Watchlist, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=1000)
    sha256 = models.CharField(max_length=64, db_index=True)
    rows_read = models.PositiveIntegerField(default=0)
    entry_count = models.PositiveIntegerField(default=0)
    added_count = models.PositiveIntegerField(default=0)
    removed_count = models.PositiveIntegerField(default=0)
    changed_count = models.PositiveIntegerField(default=0)
    importer = models.CharField(max_length=40)
    importer_version = models.CharField(max_length=20)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.IMPORTING, db_index=True
    )
    error = models.TextField(blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["watchlist", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["watchlist", "number"], name="version_number_per_list"),
            models.UniqueConstraint(
                fields=["watchlist"],
                condition=models.Q(status="active"),
                name="one_active_version_per_list",
            ),
        ]

    def __str__(self):
        return f"{self.watchlist} v{self.number} ({self.get_status_display()})"


class WatchlistEntry(models.Model):
    """One listed organisation in one version of a watchlist."""

    version = models.ForeignKey(WatchlistVersion, on_delete=models.CASCADE, related_name="entries")
    external_id = models.CharField("id in the source", max_length=200)
    name = models.CharField(max_length=500)
    aliases = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=2, blank=True)
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices)
    categories = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    source_url = models.URLField(max_length=1000, blank=True)
    # People are kept (for screening people) but partners, organisations, are screened
    # against organisations only.
    kind = models.CharField(
        max_length=20, choices=EntryKind.choices, default=EntryKind.ORGANISATION, db_index=True
    )
    raw = models.JSONField(default=dict, blank=True)
    # SHA-256 of the fields that matter for screening: a reviewer's dismissal stands
    # until the entry's data changes.
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "watchlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["version", "external_id"], name="entry_id_unique_per_version"
            )
        ]

    def __str__(self):
        return self.name


class EntryRiskOverride(models.Model):
    """A risk level the central office sets on a list entry the source does not rate (or
    rates differently), with its reason and source. It applies while the entry's fingerprint
    is the one it was set on: when the source changes the entry, the office looks again."""

    watchlist = models.ForeignKey(Watchlist, on_delete=models.CASCADE, related_name="overrides")
    external_id = models.CharField("id in the source", max_length=200)
    entry_name = models.CharField(max_length=500)
    fingerprint = models.CharField(
        max_length=64, help_text="The entry's fingerprint when the level was set."
    )
    risk_level = models.CharField(max_length=20, choices=RiskLevel.choices)
    source_risk_level = models.CharField(
        "the source's level", max_length=20, choices=RiskLevel.choices
    )
    reason = models.TextField()
    source = models.CharField(
        max_length=1000, help_text="Where the level comes from: a URL or a citation."
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["watchlist", "entry_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "external_id"], name="one_risk_override_per_entry"
            )
        ]

    def __str__(self):
        return f"{self.entry_name}: {self.get_risk_level_display()} (set by the office)"
