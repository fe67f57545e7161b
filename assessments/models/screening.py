"""Screening results: potential matches, reviewers' decisions, remembered dismissals, alerts."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ScreeningSettings(models.Model):
    """The one row of screening settings an administrator may change."""

    threshold = models.FloatField(
        "match threshold",
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Names scoring at or above this are potential matches. "
        "Leave blank to use the SCREENING_THRESHOLD setting.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "screening settings"
        verbose_name_plural = "screening settings"

    def __str__(self):
        return "Screening settings"

    def save(self, *args, **kwargs):
        self.pk = 1  # a singleton: there is only ever one row
        super().save(*args, **kwargs)


class MatchStatus(models.TextChoices):
    POTENTIAL = "potential", "Potential match"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"
    # Closed without a reviewer: a later screening no longer found it (entry delisted, or
    # the name no longer scores at the threshold). It reopens if the entry matches again.
    LAPSED = "lapsed", "Lapsed"


class ScreeningMatch(models.Model):
    """A partner whose name scored at or above the threshold against one watchlist entry."""

    partner = models.ForeignKey(
        "assessments.Partner", on_delete=models.CASCADE, related_name="screening_matches"
    )
    watchlist = models.ForeignKey(
        "assessments.Watchlist", on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField("entry id in the source", max_length=200)
    # The entry as last seen: re-screening moves this to the entry in the newest version.
    entry = models.ForeignKey(
        "assessments.WatchlistEntry", on_delete=models.PROTECT, related_name="screening_matches"
    )
    fingerprint = models.CharField(max_length=64)
    risk_level = models.CharField(max_length=20)
    score = models.FloatField()
    screened_name = models.CharField(max_length=300)
    matched_name = models.CharField(max_length=500)
    explanation = models.TextField()
    status = models.CharField(
        max_length=20, choices=MatchStatus.choices, default=MatchStatus.POTENTIAL, db_index=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    screened_at = models.DateTimeField()
    delisted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a screening found the entry gone from its list's active version.",
    )

    class Meta:
        ordering = ["partner", "-score", "id"]
        verbose_name_plural = "screening matches"
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "watchlist", "external_id"], name="one_match_per_partner_entry"
            )
        ]

    def __str__(self):
        return f"{self.partner.organisation} ~ {self.matched_name} ({self.score:.2f})"


class ScreeningDismissal(models.Model):
    """A reviewer's 'not the same body', remembered per organisation and entry data."""

    organisation = models.ForeignKey(
        "assessments.Organisation", on_delete=models.CASCADE, related_name="screening_dismissals"
    )
    watchlist = models.ForeignKey(
        "assessments.Watchlist", on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    reason = models.TextField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField()

    class Meta:
        ordering = ["-dismissed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "watchlist", "external_id", "fingerprint"],
                name="one_dismissal_per_organisation_entry_data",
            )
        ]

    def __str__(self):
        return f"{self.organisation} is not {self.watchlist} {self.external_id}"


class ScreeningAlert(models.Model):
    """Re-screening found something a reviewer must look at: a new match, a changed risk or
    entry, or a confirmed entry taken off its list."""

    class Kind(models.TextChoices):
        NEW_MATCH = "new_match", "New potential match"
        RISK_CHANGED = "risk_changed", "Listed risk level changed"
        ENTRY_CHANGED = "entry_changed", "Dismissed entry changed"
        ENTRY_REMOVED = "entry_removed", "Confirmed entry delisted"

    request = models.ForeignKey(
        "assessments.PartnershipRequest", on_delete=models.CASCADE, related_name="screening_alerts"
    )
    match = models.ForeignKey(ScreeningMatch, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.message
