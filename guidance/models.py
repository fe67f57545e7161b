"""The guidance repository: curated items, their topics, and conflicts found when syncing."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from assessments.scoring.factors import Factor


class Kind(models.TextChoices):
    NOTE = "note", "Guidance note"
    CHECKLIST_HELP = "checklist_help", "Checklist help"
    CASE_STUDY = "case_study", "Case study / lesson learned"
    EXTERNAL = "external", "External resource"
    CONTACT = "contact", "Contact or adviser"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class SourceOrganisation(models.TextChoices):
    INSTITUTION = "institution", "This institution"
    NPSA = "npsa", "National Protective Security Authority (NPSA)"
    UKRI_CHINA = "ukri_china", "UKRI China office"
    EMBASSY_BEIJING = "embassy_beijing", "British Embassy Beijing"
    DBT = "dbt", "Department for Business and Trade"
    UUKI = "uuki", "Universities UK International"
    RCAT = "rcat", "Research Collaboration Advice Team (RCAT)"
    OTHER = "other", "Other"


class Audience(models.TextChoices):
    ACADEMICS = "academics", "Academics"
    CENTRAL_OFFICE = "central_office", "Central office"
    COMMITTEE = "committee", "Committee"


class RiskArea(models.TextChoices):
    REPUTATION = "reputation", "Reputation and wrongful affiliation"
    ACADEMIC_FREEDOM = "academic_freedom", "Academic freedom and integrity"
    IP_DUAL_USE = "ip_dual_use", "IP theft and dual-use technology"
    DATA = "data", "Data access and data protection"
    SAFETY = "safety", "Physical and digital safety of staff"
    FINANCIAL_DEPENDENCY = "financial_dependency", "Financial dependency on foreign funds"
    MILITARY_CIVIL_FUSION = "military_civil_fusion", "Military-civil fusion"
    EXPORT_CONTROL = "export_control", "Export control"


def new_ref_id() -> str:
    """A fresh stable reference id for an item written here, e.g. G-3F9A1C2B."""
    return f"G-{secrets.token_hex(4).upper()}"


def default_review_by():
    """Items are due for review a year after they are written."""
    return timezone.localdate() + timezone.timedelta(days=365)


def _validate_codes(values, choices, what: str):
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ValidationError(f"{what} must be a list of codes.", code="invalid_list")
    unknown = sorted(set(values) - set(choices))
    if unknown:
        raise ValidationError(f"Unknown {what}: {', '.join(unknown)}.", code="unknown_code")


def validate_factors(values):
    _validate_codes(values, Factor.values, "risk factors")


def validate_risk_areas(values):
    _validate_codes(values, RiskArea.values, "risk areas")


def validate_audience(values):
    _validate_codes(values, Audience.values, "audiences")


def validate_countries(values):
    if not isinstance(values, list) or not all(
        isinstance(value, str) and len(value) == 2 and value.isalpha() and value.isupper()
        for value in values
    ):
        raise ValidationError(
            "Countries must be two-letter ISO codes in capitals, e.g. CN, GB.",
            code="invalid_country",
        )


class Topic(models.Model):
    """A subject editors group guidance by (e.g. export control, staff travel)."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class GuidanceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def overdue(self, today=None):
        return self.filter(review_by__lt=today or timezone.localdate()).exclude(
            status=Status.ARCHIVED
        )


class GuidanceItem(models.Model):
    """One piece of guidance: a note, checklist help, case study, resource or adviser."""

    ref_id = models.CharField(
        "reference id",
        max_length=60,
        default=new_ref_id,
        help_text="Stable id used when sharing with other institutions; do not reuse.",
    )
    source_institution = models.CharField(
        max_length=200,
        help_text="The ukcn instance that wrote the item; yours for items written here.",
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=500)
    body = models.TextField(help_text="Markdown. Raw HTML is shown as text, never run.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTE)
    source_organisation = models.CharField(
        max_length=30, choices=SourceOrganisation.choices, default=SourceOrganisation.INSTITUTION
    )
    external_url = models.URLField("external link", blank=True)
    audience = models.JSONField(default=list, blank=True, validators=[validate_audience])
    topics = models.ManyToManyField(Topic, blank=True, related_name="items")
    risk_areas = models.JSONField(default=list, blank=True, validators=[validate_risk_areas])
    sectors = models.ManyToManyField(
        "assessments.Sector", blank=True, related_name="guidance_items", verbose_name="NSI sectors"
    )
    countries = models.JSONField(
        default=list, blank=True, validators=[validate_countries], help_text='e.g. ["CN"]'
    )
    checklist_items = models.ManyToManyField(
        "assessments.ChecklistItem", blank=True, related_name="guidance_items"
    )
    factors = models.JSONField(
        "risk factors", default=list, blank=True, validators=[validate_factors]
    )
    watchlists = models.ManyToManyField(
        "assessments.Watchlist", blank=True, related_name="guidance_items"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    share_with_peers = models.BooleanField(
        default=True, help_text="Include in the feed other institutions subscribe to."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guidance_items",
    )
    review_by = models.DateField(default=default_review_by)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Hashes of the content as last loaded or imported: tell local edits from upstream changes.
    origin_hash = models.CharField(max_length=64, blank=True, editable=False)
    origin_payload_hash = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = GuidanceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_institution", "ref_id"], name="guidance_unique_ref_per_source"
            )
        ]
        permissions = [("publish_guidanceitem", "Can publish and archive guidance")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("guidance:detail", args=[self.slug])

    @property
    def is_overdue(self) -> bool:
        return self.review_by < timezone.localdate()


class SyncConflict(models.Model):
    """An upstream change to an item an editor has edited here; waits for an editor."""

    class Resolution(models.TextChoices):
        OPEN = "open", "Open"
        KEPT_LOCAL = "kept_local", "Kept the local version"
        TOOK_INCOMING = "took_incoming", "Took the incoming version"

    item = models.ForeignKey(GuidanceItem, on_delete=models.CASCADE, related_name="conflicts")
    origin = models.CharField(max_length=1000, help_text="Feed URL or bundle file.")
    payload = models.JSONField()
    payload_hash = models.CharField(max_length=64)
    detected_at = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(
        max_length=20, choices=Resolution.choices, default=Resolution.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = "sync conflict"

    def __str__(self):
        return f"{self.item.ref_id} from {self.origin}"
