"""The partnership request and what hangs off it: partners, funding, decisions, conditions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from ..vocabularies import OrganisationType, Tier


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    RECOMMENDED = "recommended", "Recommended"
    # Decided, but the tier's route needs one or more sign-offs before the decision holds.
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting sign-off"
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


DECIDED_STATUSES = frozenset(
    {RequestStatus.APPROVED, RequestStatus.APPROVED_WITH_CONDITIONS, RequestStatus.DECLINED}
)
OPEN_STATUSES = frozenset(
    {
        RequestStatus.DRAFT,
        RequestStatus.SUBMITTED,
        RequestStatus.UNDER_REVIEW,
        RequestStatus.RECOMMENDED,
        RequestStatus.AWAITING_SIGN_OFF,
    }
)


APPROVED_STATUSES = frozenset({RequestStatus.APPROVED, RequestStatus.APPROVED_WITH_CONDITIONS})


def partnerships_in_force_q(today) -> models.Q:
    """Approved partnerships that have not ended: the ones still reviewed, re-screened and
    reminded about. A partnership whose end date has passed is closed: it keeps its record and
    its decision, and is no longer due for review."""
    return models.Q(status__in=APPROVED_STATUSES) & (
        models.Q(end_date__isnull=True) | models.Q(end_date__gte=today)
    )


class CollaborationType(models.TextChoices):
    JOINT_CENTRE = "joint_centre", "Joint research centre"
    JOINT_PROJECT = "joint_project", "Joint project"
    CO_AUTHORSHIP = "co_authorship", "Co-authored publication"
    VISITING = "visiting", "Visiting researcher or student"
    DATA_SHARING = "data_sharing", "Data sharing"
    FRAMEWORK = "framework", "MoU or framework agreement"
    FACILITY_ACCESS = "facility_access", "Equipment or facility access"
    CONSULTANCY = "consultancy", "Consultancy"
    OTHER = "other", "Other"


class WorkLocation(models.TextChoices):
    UK = "uk", "In the UK"
    PARTNER = "partner", "In the partner's country"
    BOTH = "both", "Both"


class FunderType(models.TextChoices):
    UK_PUBLIC = "uk_public", "UK public funder"
    PARTNER_GOVERNMENT = "partner_government", "Partner government"
    STATE_OWNED = "state_owned", "State-owned company or body"
    PARTNER_INSTITUTION = "partner_institution", "Partner institution"
    INDUSTRY = "industry", "Industry"
    MILITARY = "military", "Military or security"
    OTHER = "other", "Other"


class ResearchKind(models.TextChoices):
    BASIC = "basic", "Basic research (no specific practical aim)"
    APPLIED = "applied", "Applied research (aimed at a use)"


class Transfer(models.TextChoices):
    """What the partnership will send or share abroad (export control asks)."""

    ITEMS = "items", "Physical items (equipment, materials, samples)"
    SOFTWARE = "software", "Software"
    TECHNOLOGY = "technology", "Technology, including know-how and technical assistance"
    DATA = "data", "Research data"


class IpKind(models.TextChoices):
    """The intellectual property arrangement, as a choice (the NSI Act asks)."""

    NONE = "none", "None"
    BACKGROUND_LICENSED = "background_licensed", "Background IP licensed to the partner"
    FOREGROUND_ASSIGNED = "foreground_assigned", "Foreground IP assigned to the partner"
    SPIN_OUT_EQUITY = "spin_out_equity", "Equity in a spin-out company"


class TechnologyReadiness(models.TextChoices):
    BASIC = "basic", "Basic research (no readiness level)"
    TRL1 = "1", "TRL 1: basic principles observed"
    TRL2 = "2", "TRL 2: technology concept formulated"
    TRL3 = "3", "TRL 3: experimental proof of concept"
    TRL4 = "4", "TRL 4: validated in the laboratory"
    TRL5 = "5", "TRL 5: validated in a relevant environment"
    TRL6 = "6", "TRL 6: demonstrated in a relevant environment"
    TRL7 = "7", "TRL 7: prototype demonstrated in an operational environment"
    TRL8 = "8", "TRL 8: system complete and qualified"
    TRL9 = "9", "TRL 9: proven in operation"


class Organisation(models.Model):
    """A partner organisation, reused across requests so its history is in one place."""

    name = models.CharField("name as written", max_length=300)
    name_native = models.CharField("name in the partner's own script", max_length=300, blank=True)
    country = models.CharField("country (ISO 3166 code)", max_length=2)
    org_type = models.CharField(
        "type", max_length=30, choices=OrganisationType.choices, default=OrganisationType.UNIVERSITY
    )
    city = models.CharField("city or province", max_length=200, blank=True)
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Resolved identity: the ROR record this organisation is, when known.
    identity = models.ForeignKey(
        "assessments.OrganisationIdentity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
        verbose_name="ROR identity",
    )
    # The institution this one belongs to (a campus, school or laboratory of it): from ROR's
    # relationships, or set by the central office for records without ROR.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    # Further names it is known by (merged duplicates' names, names typed by requesters).
    aliases = models.JSONField(default=list, blank=True)
    # Created from a name that resolved to nothing: the central office should resolve it.
    needs_resolution = models.BooleanField(default=False, db_index=True)
    # Every name it is known by (its own, aliases, its ROR identity's names and id), one per
    # line, for search; kept by save().
    search_names = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["country"])]

    def __str__(self):
        return f"{self.name} ({self.name_native})" if self.name_native else self.name

    def save(self, *args, **kwargs):
        self.search_names = self.compute_search_names()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_names"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("assessments:organisation_detail", args=[self.pk])

    def compute_search_names(self) -> str:
        names = [
            self.name,
            self.name_native,
            *(a for a in self.aliases or [] if isinstance(a, str)),
        ]
        if self.identity_id is not None:
            names.extend(n.get("value", "") for n in self.identity.names)
            names.append(self.identity.ror_id)
        return "\n".join(dict.fromkeys(n.strip() for n in names if n and n.strip()))

    def screening_names(self) -> list[str]:
        """Names screened besides the name and native name: aliases, and the ROR labels,
        aliases and acronyms-free names of its identity."""
        names = [a for a in self.aliases or [] if isinstance(a, str)]
        if self.identity_id is not None:
            names.extend(
                n["value"] for n in self.identity.names if "acronym" not in n.get("types", [])
            )
        return names

    def ancestors(self, limit: int = 10) -> list["Organisation"]:
        """Parent, grandparent...: nearest first, stopping at a cycle."""
        chain, seen, node = [], {self.pk}, self.parent
        while node is not None and node.pk not in seen and len(chain) < limit:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain


class PartnershipRequest(models.Model):
    """A proposed international research partnership and its review."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=300)
    summary = models.TextField()
    lead_academic = models.CharField(max_length=200)
    lead_academic_email = models.EmailField(blank=True)
    department = models.ForeignKey(
        "ukcn.Department", on_delete=models.PROTECT, related_name="requests"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requests_created"
    )
    status = models.CharField(
        max_length=30, choices=RequestStatus.choices, default=RequestStatus.DRAFT, db_index=True
    )
    # Set by the scoring policy once an assessment exists; an input until then.
    tier = models.CharField(max_length=20, choices=Tier.choices, blank=True, db_index=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests_reviewing",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests_submitted",
    )
    # The highest tier the request has had since it was submitted (assessed or set by hand):
    # the approver and four-eyes rules follow it, so lowering the tier cannot remove them.
    highest_tier = models.CharField(max_length=20, choices=Tier.choices, blank=True)

    collaboration_type = models.CharField(max_length=30, choices=CollaborationType.choices)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    work_location = models.CharField(
        "where the work happens", max_length=20, choices=WorkLocation.choices
    )
    disciplines = models.ManyToManyField("assessments.Discipline", blank=True)
    sectors = models.ManyToManyField(
        "assessments.Sector", blank=True, verbose_name="NSI Act sectors"
    )
    no_nsi_sector = models.BooleanField("none of the NSI Act sectors", default=False)

    export_controlled = models.BooleanField(
        "involves export-controlled items or technology", default=False
    )
    dual_use = models.BooleanField("has dual-use potential", default=False)
    personal_data = models.BooleanField("involves personal data", default=False)
    data_leaves_uk = models.BooleanField("data leaves the UK", default=False)
    data_leaves_partner_country = models.BooleanField(
        "data leaves the partner's country", default=False
    )
    people_exchanged = models.PositiveIntegerField(
        "people exchanged", default=0, validators=[MinValueValidator(0)]
    )
    lab_access = models.BooleanField("visitors get access to laboratories", default=False)
    staff_travel = models.BooleanField("staff travel to the partner country", default=False)
    research_kind = models.CharField(
        "basic or applied research", max_length=10, choices=ResearchKind.choices, blank=True
    )
    technology_readiness = models.CharField(
        "technology readiness level", max_length=5, choices=TechnologyReadiness.choices, blank=True
    )
    largest_foreign_funding_share = models.PositiveSmallIntegerField(
        "share of funding from the largest foreign source (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="As a percentage of the project's whole funding, 0 to 100; no currency "
        "conversion: the requester states it.",
    )
    ip_arrangements = models.TextField("intellectual property arrangements", blank=True)
    # Facts the legal determinations need (see assessments/legal); blank/empty when unsaid.
    transfers = models.JSONField(
        "what will be transferred abroad",
        default=list,
        blank=True,
        help_text="Any of: items, software, technology, data.",
    )
    ip_kind = models.CharField(
        "kind of intellectual property arrangement",
        max_length=30,
        choices=IpKind.choices,
        blank=True,
    )
    sensitivity_notes = models.TextField("other sensitivity notes", blank=True)
    statement_of_intent_agreed = models.BooleanField("statement of intent agreed", default=False)
    statement_of_intent = models.TextField("statement of intent", blank=True)

    next_review_date = models.DateField(null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: a save must name the version it read.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.reference}: {self.title}"

    def get_absolute_url(self):
        return reverse("assessments:request_detail", args=[self.reference])

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Partner(models.Model):
    """An organisation's part in one request, and when it was last screened against what."""

    request = models.ForeignKey(
        PartnershipRequest, on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="partnerships"
    )
    role = models.CharField("role in the project", max_length=300, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    # The watchlist versions active at the last screening (sorted ids): a partner not screened
    # against the versions active now is a gate on the review.
    screened_version_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organisation"], name="partner_once_per_request"
            )
        ]

    def __str__(self):
        return f"{self.organisation} in {self.request.reference}"


class SubPartner(models.Model):
    """A partner's own collaborator on the project (also an organisation): screened with the
    request as the partner's sub-partner."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="sub_partners")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sub_partnerships"
    )
    role = models.CharField("role in the project", max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "organisation"], name="sub_partner_once_per_partner"
            )
        ]

    def __str__(self):
        return f"{self.organisation} with {self.partner.organisation}"


class FundingSource(models.Model):
    request = models.ForeignKey(
        PartnershipRequest, on_delete=models.CASCADE, related_name="funding_sources"
    )
    funder_name = models.CharField(max_length=300, blank=True)
    # The funder in the register (resolved from the name when the row is saved): screened with
    # the request like a partner.
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fundings",
        verbose_name="funder organisation",
    )
    country = models.CharField("country (ISO 3166 code)", max_length=2, blank=True)
    funder_type = models.CharField(max_length=30, choices=FunderType.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    origin_undisclosed = models.BooleanField("origin undisclosed", default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.funder_name or "Undisclosed funder"


class Recommendation(models.Model):
    """A reviewer's recommendation; kept when a request is reopened and reviewed again."""

    class Outcome(models.TextChoices):
        APPROVE = "approve", "Approve"
        APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
        DECLINE = "decline", "Decline"

    request = models.ForeignKey(
        PartnershipRequest, on_delete=models.CASCADE, related_name="recommendations"
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    reasoning = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_outcome_display()} by {self.recommended_by}"


class Decision(models.Model):
    """A decision on a request; a reopened request keeps its earlier decisions on record.

    When the tier's route needs sign-offs, the decision is pending until the last one is
    given (its conditions and review date wait in `pending_conditions` and `review_on`); a
    refused sign-off marks it refused and returns the request to the decider.
    """

    class State(models.TextChoices):
        PENDING_SIGN_OFF = "pending_sign_off", "Subject to sign-off"
        IN_FORCE = "in_force", "In force"
        REFUSED = "refused", "Sign-off refused"

    request = models.ForeignKey(
        PartnershipRequest, on_delete=models.CASCADE, related_name="decisions"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=30, choices=RequestStatus.choices)
    reasoning = models.TextField()
    tier = models.CharField(max_length=20, choices=Tier.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    superseded = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_FORCE)
    route_code = models.CharField(max_length=60, blank=True)
    route_label = models.CharField(max_length=300, blank=True)
    pending_conditions = models.JSONField(default=list, blank=True)
    review_on = models.DateField(null=True, blank=True)
    # False for decisions recorded before the decision gates and routes were enforced.
    gates_enforced = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_outcome_display()} by {self.decided_by}"

    @property
    def outcome_phrase(self) -> str:
        """e.g. "Approved", or "Approved subject to sign-off by the head of department"."""
        label = self.get_outcome_display()
        if self.state != self.State.PENDING_SIGN_OFF:
            return label
        waiting = [s.label for s in self.sign_offs.all() if s.status == SignOff.Status.PENDING]
        return (
            f"{label} subject to sign-off by {', then '.join(waiting).lower()}"
            if waiting
            else label
        )


class SignOff(models.Model):
    """One sign-off a decision's route requires, in order; given or refused by one person."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaited"
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="sign_offs")
    request = models.ForeignKey(
        PartnershipRequest, on_delete=models.CASCADE, related_name="sign_offs"
    )
    order = models.PositiveSmallIntegerField()
    role = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    # When nobody holds `role` (a department without a head), this role may sign in its place.
    fallback_role = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_as = models.CharField(
        max_length=40, blank=True, help_text="The role the signer held when signing."
    )
    in_place_of = models.CharField(
        max_length=40,
        blank=True,
        help_text="Set when someone signed in place of the required role (nobody held it).",
    )
    reason = models.TextField(blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decision", "order"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "order"], name="one_sign_off_per_step")
        ]

    def __str__(self):
        return f"{self.label}: {self.get_status_display().lower()}"


class Condition(models.Model):
    """A condition attached to an approval, with an owner and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        OVERDUE = "overdue", "Overdue"

    request = models.ForeignKey(
        PartnershipRequest, on_delete=models.CASCADE, related_name="conditions"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.CASCADE, related_name="conditions"
    )
    text = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.text[:80]


class Attachment(models.Model):
    """A document attached to a request; downloaded only through a permission check."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", "Agreement"
        STATEMENT_OF_INTENT = "statement_of_intent", "Statement of intent"
        EVIDENCE = "evidence", "Evidence"
        OTHER = "other", "Other"

    request = models.ForeignKey(
        PartnershipRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.EVIDENCE)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
