"""The words ukcn's rules share: tiers, risk levels, checklist answers, organisation types.

One definition each. The models store these codes, the scoring policy is checked against them
(`assessments.scoring.policy`), and labels people read come from here too.
"""

from django.db import models


class Tier(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class OrganisationType(models.TextChoices):
    UNIVERSITY = "university", "University"
    RESEARCH_INSTITUTE = "research_institute", "Research institute"
    COMPANY = "company", "Company"
    GOVERNMENT = "government", "Government body"
    MILITARY = "military", "Military or security body"
    DEFENCE_INDUSTRY = "defence_industry", "Defence-industry company"
    OTHER = "other", "Other"


class Answer(models.TextChoices):
    MET = "met", "Met"
    PARTLY_MET = "partly_met", "Partly met"
    NOT_MET = "not_met", "Not met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    UNSURE = "unsure", "Unsure"


class RiskLevel(models.TextChoices):
    VERY_HIGH = "very_high", "Very high"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    LISTED = "listed", "Listed"
