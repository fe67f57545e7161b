"""The versioned scoring policy and the assessment snapshots it produces."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ..scoring.factors import Factor
from ..scoring.policy import AXIS_LABELS, LEVEL_LABELS, TIMES
from .requests import Tier


class ScoringPolicy(models.Model):
    """One immutable version of the weights, thresholds, floors and routes; one is active."""

    number = models.PositiveIntegerField(unique=True, editable=False)
    name = models.CharField(max_length=200)
    data = models.JSONField(
        help_text="Schema 2 (two axes): the factors' levels, the matrix, the outcomes, the "
        "controls, floors and routes; schema 1 (points): weights, mitigation, thresholds, "
        "floors and routes. See assessments/data/scoring_policy.yaml for each key."
    )
    note = models.CharField("what changed and why", max_length=500, blank=True)
    source = models.CharField(max_length=300, editable=False)
    source_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    is_active = models.BooleanField("active", default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-number"]
        verbose_name_plural = "scoring policies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_policy"
            )
        ]

    def __str__(self):
        return f"{self.name} (version {self.number}{', active' if self.is_active else ''})"


class Assessment(models.Model):
    """What the scoring policy said about a request at one moment; never changed afterwards."""

    request = models.ForeignKey(
        "assessments.PartnershipRequest", on_delete=models.PROTECT, related_name="assessments"
    )
    policy = models.ForeignKey(ScoringPolicy, on_delete=models.PROTECT, related_name="assessments")
    checklist_version = models.ForeignKey(
        "assessments.ChecklistVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    watchlist_version_ids = models.JSONField(default=list, blank=True)
    # Points, under the additive policies of schema 1; empty under the two-axis matrix.
    inherent = models.IntegerField("inherent score", null=True, blank=True)
    mitigation = models.IntegerField(null=True, blank=True)
    residual = models.IntegerField("residual score", null=True, blank=True)
    tier = models.CharField(max_length=20, choices=Tier.choices)
    route_code = models.CharField(max_length=60)
    route_label = models.CharField("review route", max_length=300)
    floor = models.CharField(max_length=20, choices=Tier.choices, blank=True)
    floor_reason = models.CharField(max_length=500, blank=True)
    not_permissible_without_exception = models.BooleanField(default=False)
    # Schema 2: the categorical outcome and the explanation of the matrix cell (the axes,
    # their levels before and after controls, each control that applied).
    outcome = models.CharField(max_length=40, blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    factors = models.JSONField(default=list)
    # The exact inputs, so the result can be recomputed and explained later.
    facts = models.JSONField(default=dict)
    # Digests of the request's own inputs when it was assessed (facts, partners, funding,
    # screening decisions, checklist answers...): a later change makes the assessment stale.
    input_digests = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.request} assessed {self.get_tier_display()}"

    def save(self, *args, **kwargs):
        # A snapshot: explaining a past decision depends on it never changing.
        if not self._state.adding:
            raise ValueError("An assessment never changes; assess the request again instead.")
        super().save(*args, **kwargs)

    @property
    def is_matrix(self) -> bool:
        """True when scored by a two-axis policy (schema 2), false for points (schema 1)."""
        return self.explanation.get("schema") == 2

    @property
    def outcome_label(self) -> str:
        return self.explanation.get("outcome_label", "")

    @property
    def factor_rows(self) -> list[dict]:
        """The factors with their display names, for the breakdown: points under schema 1,
        the level on an axis (and what a control lowered it to) under schema 2."""
        labels = dict(Factor.choices)
        rows = []
        for factor in self.factors:
            row = {**factor, "label": labels.get(factor["code"], factor["code"])}
            if "points" in factor:
                row["signed_points"] = _signed(factor["points"])
            else:
                row["points"] = None
                row["axis_label"] = AXIS_LABELS.get(factor["axis"], factor["axis"])
                row["level_label"] = LEVEL_LABELS.get(factor["level"], factor["level"])
                lowered = factor.get("lowered_to", "")
                row["lowered_label"] = LEVEL_LABELS.get(lowered, lowered) if lowered else ""
            rows.append(row)
        return rows

    @property
    def matrix_cell(self) -> str:
        """e.g. "sensitivity high x partner risk medium => high (before controls: ...)"."""
        x = self.explanation
        if not self.is_matrix:
            return ""

        def cell(sensitivity, partner, tier):
            return (
                f"sensitivity {LEVEL_LABELS[sensitivity]} {TIMES} partner risk "
                f"{LEVEL_LABELS[partner]} \u21d2 {LEVEL_LABELS[tier]}"
            )

        text = cell(x["sensitivity"], x["partner"], x["cell_tier"])
        before = (x["sensitivity_before_controls"], x["partner_before_controls"])
        if before != (x["sensitivity"], x["partner"]):
            text += f" (before controls: {cell(*before, x['cell_tier_before_controls'])})"
        return text

    @property
    def control_rows(self) -> list[dict]:
        return list(self.explanation.get("controls", []))

    @property
    def watchlist_versions_used(self) -> list[str]:
        """The watchlist versions behind the confirmed matches, as people name them."""
        return sorted(
            {
                f"{match['list_name']} version {match['version_number']}"
                for match in self.facts.get("confirmed_matches", [])
            }
        )


def _signed(points: int) -> str:
    if points > 0:
        return f"+{points}"
    return f"\u2212{-points}" if points < 0 else "0"
