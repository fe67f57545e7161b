"""People taking part in a partnership: who they are, their ATAS determination's inputs and
certificates, their declarations, and the ATAS reference lists the determination reads.

These are personal data (UK GDPR). Who may see them is decided in `assessments.people.access`;
audit events name a person by `Person.pk` and category only, never by name or nationality.
"""

from django.conf import settings
from django.db import models


class PersonCategory(models.TextChoices):
    OWN_STAFF = "own_staff", "Own staff"
    VISITING_RESEARCHER = "visiting_researcher", "Visiting researcher"
    STUDENT = "student", "Student"
    PARTNER_STAFF = "partner_staff", "Partner staff with access"


class ImmigrationRoute(models.TextChoices):
    """The person's immigration status or route in the UK, as far as it is known."""

    BRITISH_IRISH = "british_irish", "British or Irish citizen"
    SETTLED = "settled", "Settled or pre-settled status"
    STUDENT = "student", "Student"
    SKILLED_WORKER = "skilled_worker", "Skilled Worker"
    GLOBAL_TALENT = "global_talent", "Global Talent"
    GAE = "gae", "Government Authorised Exchange"
    OTHER_TEMPORARY_WORK = "other_temporary_work", "Other temporary work route"
    DEPENDANT = "dependant", "Dependant"
    VISITOR = "visitor", "Visitor"
    NOT_COMING = "not_coming", "Not coming to the UK"


class AtasListVersion(models.Model):
    """One dated version of the ATAS reference lists (exempt nationalities, CAH3 subject codes,
    SOC 2020 occupation codes). Appendix ATAS changes with the Immigration Rules, so the office
    loads a new version rather than editing the old one; a determination names the version."""

    label = models.CharField(max_length=200, unique=True)
    effective_from = models.DateField(help_text="The day this version of the lists applies from.")
    source = models.TextField(help_text="Where the lists come from (document, URL, date seen).")
    exempt_countries = models.JSONField(
        default=list, help_text="ISO 3166 codes of the exempt nationalities."
    )
    cah3_codes = models.JSONField(
        default=list, help_text="CAH3 subject codes in scope, e.g. CAH07-01-01."
    )
    soc_codes = models.JSONField(default=list, help_text="SOC 2020 occupation codes in scope.")
    complete = models.BooleanField(
        default=False,
        help_text="Tick only when the code lists are the full lists of Appendix ATAS: a code "
        "missing from an incomplete list leaves the determination unknown, not 'not required'.",
    )
    notes = models.TextField(blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = "ATAS list version"

    def __str__(self):
        return f"{self.label} (from {self.effective_from.isoformat()})"


class Person(models.Model):
    """Someone taking part in a request's partnership. A record, not a user."""

    request = models.ForeignKey(
        "assessments.PartnershipRequest", on_delete=models.CASCADE, related_name="people"
    )
    name = models.CharField(
        "name", max_length=300, help_text="As the person writes it, any script."
    )
    category = models.CharField(max_length=30, choices=PersonCategory.choices)
    project_role = models.CharField("role on the project", max_length=300, blank=True)
    home_organisation = models.ForeignKey(
        "assessments.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    nationalities = models.JSONField(
        default=list, blank=True, help_text="ISO 3166 codes; several allowed."
    )
    coming_to_uk = models.BooleanField("will come to the UK", null=True, blank=True)
    immigration_route = models.CharField(
        "immigration status or route", max_length=30, choices=ImmigrationRoute.choices, blank=True
    )
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    cah3_code = models.CharField("CAH3 subject code of the work", max_length=20, blank=True)
    soc_code = models.CharField("job (SOC 2020) code", max_length=10, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    declarations_requested_at = models.DateTimeField(null=True, blank=True)
    declarations_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    # Set when the retention job erased the personal fields; the record stays as a husk.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "people"

    def __str__(self):
        # Never the name: this string can reach logs and admin histories.
        return f"Person #{self.pk} ({self.get_category_display().lower()})"

    @property
    def reference(self) -> str:
        """How audit events and notifications name a person: internal id and category."""
        return str(self)


class AtasCertificate(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="atas_certificates")
    reference = models.CharField("certificate reference", max_length=100)
    issued_on = models.DateField()
    expires_on = models.DateField()
    attachment = models.ForeignKey(
        "assessments.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-expires_on", "-id"]
        verbose_name = "ATAS certificate"

    def __str__(self):
        return f"ATAS certificate of person #{self.person_id}, expires {self.expires_on}"


class DeclarationKind(models.TextChoices):
    AFFILIATION = "affiliation", "Affiliation with another organisation"
    TALENT_PROGRAMME = "talent_programme", "Foreign talent programme"
    CONFLICT = "conflict", "Conflict of interest or commitment"
    NONE = "none", "Nothing to declare"


class Declaration(models.Model):
    """What a person declared, as the requester collected it; an affiliation names an
    organisation of the register, which is screened like a partner."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="declarations")
    kind = models.CharField(max_length=30, choices=DeclarationKind.choices)
    organisation = models.ForeignKey(
        "assessments.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declared_affiliations",
    )
    details = models.TextField(blank=True)
    declared_on = models.DateField("date the person declared it")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["declared_on", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} of person #{self.person_id}"
