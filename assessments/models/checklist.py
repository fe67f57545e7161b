"""The good-practice checklist: items with a stable reference id, grouped as the study groups them."""

from django.db import models


class ChecklistGroup(models.TextChoices):
    CONNECTIONS = "connections", "Building connections and partnerships"
    MITIGATION = "mitigation", "Mitigating potential risks"
    KNOWLEDGE = "knowledge", "Knowledge sharing"


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

    class Meta:
        ordering = ["order", "ref_id"]

    def __str__(self):
        return f"{self.ref_id}: {self.question}"
