"""Reference data every request points at: the NSI Act sectors and the subject categories."""

from django.db import models
from simple_history.models import HistoricalRecords


class Sector(models.Model):
    """One of the 17 sensitive sectors of the National Security and Investment Act 2021."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class DisciplineGroup(models.TextChoices):
    STEM = "stem", "STEM"
    NON_STEM = "non_stem", "Non-STEM"
    MULTIDISCIPLINARY = "multidisciplinary", "Multidisciplinary"


class Discipline(models.Model):
    """A subject category, as the source study classified joint centres."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, unique=True)
    group = models.CharField(max_length=20, choices=DisciplineGroup.choices)
    # Social sciences and humanities carry academic-freedom exposure in the scoring policy.
    academic_freedom_exposure = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CountryLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class CountryContext(models.Model):
    """What an office holds about a jurisdiction's laws and posture, as dated data.

    The scoring policy turns `level` into the partner axis's jurisdiction factor; the row in
    force on the day of the assessment counts (effective_from <= day < effective_to).
    """

    country = models.CharField("country (ISO 3166 code)", max_length=2, db_index=True)
    level = models.CharField(max_length=20, choices=CountryLevel.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(
        null=True, blank=True, help_text="Blank while in force; the day a newer row takes over."
    )
    source_note = models.CharField(
        max_length=300, help_text="Where the level comes from, in a line the explanation quotes."
    )
    notes = models.TextField(blank=True, help_text="The reasoning, for the next reviewer.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "-effective_from"]
        verbose_name = "country context"
        verbose_name_plural = "country context"
        constraints = [
            models.UniqueConstraint(
                fields=["country", "effective_from"], name="one_country_row_per_start"
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gt=models.F("effective_from")),
                name="country_context_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.country}: {self.get_level_display()} from {self.effective_from}"
