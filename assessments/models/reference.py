"""Reference data every request points at: the NSI Act sectors and the subject categories."""

from django.db import models


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
