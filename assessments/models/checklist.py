"""The good-practice checklist: items with a stable reference id, grouped as the study groups
them; immutable versions of the whole checklist; and a request's answers."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from ..vocabularies import Answer


class ChecklistGroup(models.TextChoices):
    CONNECTIONS = "connections", "Building connections and partnerships"
    MITIGATION = "mitigation", "Mitigating potential risks"
    KNOWLEDGE = "knowledge", "Knowledge sharing"
    # Controls lower the risk they control (the scoring policy names the axis and factors);
    # the groups above are good practice: shown and recorded, they never change the tier.
    CONTROLS = "controls", "Risk controls"


class ChecklistItem(models.Model):
    """One question a reviewer answers; its reference id is stable across checklist versions."""

    ref_id = models.CharField("reference id", max_length=20, unique=True)
    group = models.CharField(max_length=20, choices=ChecklistGroup.choices)
    question = models.CharField(max_length=500)
    help_text = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    evidence_required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("in use", default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "ref_id"]

    def __str__(self):
        return f"{self.ref_id}: {self.question}"


class ChecklistVersion(models.Model):
    """A frozen copy of every item in use at one moment; answers point at the one they used."""

    number = models.PositiveIntegerField(unique=True)
    # The items as they were: ref_id, group, question, help_text, weight, evidence_required.
    items = models.JSONField()
    sha256 = models.CharField("hash of the items", max_length=64)
    source = models.CharField(max_length=300)
    # Set when loaded from the YAML file: re-running the loader on the same file does nothing.
    source_sha256 = models.CharField("hash of the loaded file", max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return f"Checklist version {self.number}"


class ChecklistAnswer(models.Model):
    """A reviewer's answer to one checklist item for one request."""

    request = models.ForeignKey(
        "assessments.PartnershipRequest", on_delete=models.CASCADE, related_name="checklist_answers"
    )
    checklist_version = models.ForeignKey(
        ChecklistVersion, on_delete=models.PROTECT, related_name="answers"
    )
    ref_id = models.CharField("reference id", max_length=20)
    answer = models.CharField(max_length=20, choices=Answer.choices)
    evidence_notes = models.TextField(blank=True)
    explanation = models.TextField(
        blank=True, help_text="Why the answer is unsure or the item does not apply."
    )
    attachment = models.ForeignKey(
        "assessments.Attachment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checklist_answers",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["ref_id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "ref_id"], name="one_answer_per_item")
        ]

    def __str__(self):
        return f"{self.ref_id} for {self.request_id}: {self.get_answer_display()}"
