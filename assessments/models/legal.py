"""Legal determinations: export control, the NSI Act, sanctions and FIRS.

Each determination is a record a reviewer makes on a request: the outcome the law gives, the
reasoning, the references (licence, ISU, registration) and evidence (attachments). Records are
never edited: recording again supersedes the previous record of the same regime (and, for
sanctions, of the same match), so the history shows what was known when, and a decided request
keeps the determination it was decided under. Each regime's gate (assessments/legal/gates.py)
reads the current record.

The reference data a reviewer picks from is versioned: NSI Act areas (`NsiAreaVersion`, with
the date each version takes effect) and the FIRS specified foreign powers
(`FirsSpecifiedPower`, editable, with effective dates); the export control list headings are a
file (assessments/data/reference/export-control-categories.yaml) whose compilation date is
stored on each determination.
"""

from django.conf import settings
from django.db import models


class Regime(models.TextChoices):
    EXPORT_CONTROL = "export_control", "Export control"
    NSI = "nsi", "National Security and Investment Act"
    SANCTIONS = "sanctions", "Sanctions"
    FIRS = "firs", "Foreign Influence Registration Scheme"


class ExportOutcome(models.TextChoices):
    NOT_CONTROLLED = "not_controlled", "Not controlled"
    EXEMPT = "exempt", "Exempt (public domain or basic scientific research)"
    CATCH_ALL = "catch_all", "Catch-all applies: treated as licence required"
    LICENCE_REQUIRED = "licence_required", "Licence required"


class ExemptionBasis(models.TextChoices):
    PUBLIC_DOMAIN = "public_domain", "In the public domain"
    BASIC_RESEARCH = "basic_research", "Basic scientific research"


class LicenceType(models.TextChoices):
    SIEL = "siel", "Standard individual export licence (SIEL)"
    OIEL = "oiel", "Open individual export licence (OIEL)"
    OGEL = "ogel", "Open general export licence (OGEL)"
    OTHER = "other", "Other licence"


class NsiOutcome(models.TextChoices):
    NO_ACQUISITION = "no_acquisition", "No qualifying acquisition"
    ASSET_VOLUNTARY = "asset_voluntary", "Asset acquisition: voluntary notification considered"
    MANDATORY = "mandatory", "Mandatory notification"


class NsiNotificationStatus(models.TextChoices):
    NOT_NOTIFIED = "not_notified", "Not notified"
    NOTIFIED = "notified", "Notified to the ISU, awaiting its decision"
    CLEARED = "cleared", "Cleared (no further action)"
    CALLED_IN = "called_in", "Called in for a full assessment"


class LicenceIssuer(models.TextChoices):
    OFSI = "ofsi", "OFSI (HM Treasury): financial sanctions"
    ECJU = "ecju", "ECJU (Department for Business and Trade): trade sanctions"


class FirsOutcome(models.TextChoices):
    NOT_REGISTRABLE = "not_registrable", "Not registrable"
    REGISTRABLE = "registrable", "Registrable"


class FirsTier(models.TextChoices):
    ENHANCED = "enhanced", "Enhanced tier (a specified foreign power or an entity it controls)"
    POLITICAL = "political", "Political influence tier"


OUTCOME_CHOICES = {
    Regime.EXPORT_CONTROL: ExportOutcome,
    Regime.NSI: NsiOutcome,
    Regime.FIRS: FirsOutcome,
}


class NsiAreaVersion(models.Model):
    """One version of the NSI Act's sensitive areas, in force from `effective_from` (blank
    while it is announced but not in force)."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    effective_from = models.DateField(
        null=True,
        blank=True,
        help_text="The day this version takes effect; blank while announced but not in force.",
    )
    areas = models.JSONField(help_text='A list of {"code", "name"} objects.')
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["effective_from", "code"]
        verbose_name = "NSI Act area version"

    def __str__(self):
        return self.title

    def area_names(self) -> dict[str, str]:
        return {area["code"]: area["name"] for area in self.areas}


class FirsSpecifiedPower(models.Model):
    """A foreign power specified for FIRS's enhanced tier, with the dates it is specified."""

    country = models.CharField("country (ISO 3166 code)", max_length=2)
    name = models.CharField(max_length=200)
    regulations = models.CharField(max_length=200, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(
        null=True, blank=True, help_text="Blank while the specification stands."
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["country", "effective_from"]
        verbose_name = "FIRS specified foreign power"

    def __str__(self):
        return self.name


class LegalDetermination(models.Model):
    """One reviewer's determination under one regime for one request (never edited)."""

    request = models.ForeignKey(
        "assessments.PartnershipRequest",
        on_delete=models.CASCADE,
        related_name="legal_determinations",
    )
    regime = models.CharField(max_length=20, choices=Regime.choices, db_index=True)
    outcome = models.CharField(max_length=30)
    reasoning = models.TextField(blank=True)
    # Export control.
    ratings = models.JSONField(default=list, blank=True)
    ratings_source = models.CharField(max_length=100, blank=True)
    exemption_basis = models.CharField(max_length=20, choices=ExemptionBasis.choices, blank=True)
    licence_type = models.CharField(max_length=10, choices=LicenceType.choices, blank=True)
    licence_issuer = models.CharField(max_length=10, choices=LicenceIssuer.choices, blank=True)
    licence_reference = models.CharField(max_length=100, blank=True)
    licence_expiry = models.DateField(null=True, blank=True)
    advisory_reference = models.CharField(
        "ECJU end-user advisory reference", max_length=100, blank=True
    )
    # NSI Act.
    nsi_version = models.ForeignKey(
        NsiAreaVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nsi_areas = models.JSONField(default=list, blank=True)
    notify = models.BooleanField(null=True, blank=True)
    notification_status = models.CharField(
        max_length=20, choices=NsiNotificationStatus.choices, blank=True
    )
    isu_reference = models.CharField("ISU reference", max_length=100, blank=True)
    # Sanctions: the confirmed match the licence is for.
    match = models.ForeignKey(
        "assessments.ScreeningMatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_determinations",
    )
    # FIRS.
    firs_tier = models.CharField(max_length=20, choices=FirsTier.choices, blank=True)
    foreign_power = models.CharField(max_length=200, blank=True)
    arrangement_date = models.DateField(null=True, blank=True)
    activity_start_date = models.DateField(null=True, blank=True)
    registration_due = models.DateField(null=True, blank=True)
    registration_reference = models.CharField(max_length=100, blank=True)

    evidence = models.ManyToManyField("assessments.Attachment", blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    superseded = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["request", "regime", "superseded"])]

    def __str__(self):
        return f"{self.get_regime_display()}: {self.outcome_label}"

    @property
    def outcome_label(self) -> str:
        if self.regime == Regime.SANCTIONS:
            return "Licence recorded"
        choices = OUTCOME_CHOICES.get(self.regime)
        try:
            return choices(self.outcome).label
        except (TypeError, ValueError):
            return self.outcome


class LegalAlert(models.Model):
    """Something about a determination a reviewer must look at after the fact: an export
    licence of a decided request has expired."""

    class Kind(models.TextChoices):
        LICENCE_EXPIRED = "licence_expired", "Export licence expired"

    request = models.ForeignKey(
        "assessments.PartnershipRequest", on_delete=models.CASCADE, related_name="legal_alerts"
    )
    determination = models.ForeignKey(
        LegalDetermination, on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["determination", "kind"], name="one_alert_per_kind")
        ]

    def __str__(self):
        return self.message
