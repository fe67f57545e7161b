"""Screening results: potential matches, reviewers' decisions, remembered dismissals, alerts."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ScreeningSettings(models.Model):
    """The one row of screening settings an administrator may change."""

    threshold = models.FloatField(
        "match threshold",
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Names scoring at or above this are potential matches. "
        "Leave blank to use the SCREENING_THRESHOLD setting.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "screening settings"
        verbose_name_plural = "screening settings"

    def __str__(self):
        return "Screening settings"

    def save(self, *args, **kwargs):
        self.pk = 1  # a singleton: there is only ever one row
        super().save(*args, **kwargs)


class MatchStatus(models.TextChoices):
    POTENTIAL = "potential", "Potential match"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"
    # Closed without a reviewer: a later screening no longer found it (entry delisted, or
    # the name no longer scores at the threshold). It reopens if the entry matches again.
    LAPSED = "lapsed", "Lapsed"


class SubjectKind(models.TextChoices):
    """What a screening match is about: the name that was screened belongs to this."""

    PARTNER = "partner", "Partner"
    FUNDER = "funder", "Funder"
    SUB_PARTNER = "sub_partner", "Sub-partner"
    ANCESTOR = "ancestor", "Parent organisation"
    PERSON = "person", "Person"
    # An organisation a person declared an affiliation with (assessments.people).
    AFFILIATION = "affiliation", "Declared affiliation"


# Subjects that are organisations (a dismissal is remembered per organisation for these).
ORGANISATION_SUBJECTS = frozenset(
    {
        SubjectKind.PARTNER,
        SubjectKind.FUNDER,
        SubjectKind.SUB_PARTNER,
        SubjectKind.ANCESTOR,
        SubjectKind.AFFILIATION,
    }
)
# Subjects that are about a person (personal data): shown only to those who may see people.
PEOPLE_SUBJECTS = frozenset({SubjectKind.PERSON, SubjectKind.AFFILIATION})


class ScreeningMatch(models.Model):
    """A name of one subject of a request (a partner, a partner's parent or sub-partner, a
    funder, a person) that scored at or above the threshold against one watchlist entry.

    `request` is the request the match belongs to (gates, alerts and decisions follow it).
    `partner` is the partner the subject belongs to, when it belongs to one: the partner
    itself, its ancestor, its sub-partner. `organisation` is the organisation screened for
    every organisation subject (for a partner, a copy of the partner's organisation).
    `subject_key` identifies the subject within the request ("partner:12", "ancestor:12:40",
    "funder:40", "sub_partner:12:41", "person:7"): re-screening updates the match with the
    same request, subject key, list and entry.
    """

    request = models.ForeignKey(
        "assessments.PartnershipRequest", on_delete=models.CASCADE, related_name="screening_matches"
    )
    subject_kind = models.CharField(
        max_length=20, choices=SubjectKind.choices, default=SubjectKind.PARTNER, db_index=True
    )
    subject_key = models.CharField(max_length=80, blank=True)
    partner = models.ForeignKey(
        "assessments.Partner",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="screening_matches",
    )
    organisation = models.ForeignKey(
        "assessments.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="screening_matches",
    )
    # The person screened (subject "person"), or who declared the affiliation ("affiliation").
    person = models.ForeignKey(
        "assessments.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="screening_matches",
    )
    watchlist = models.ForeignKey(
        "assessments.Watchlist", on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField("entry id in the source", max_length=200)
    # The entry as last seen: re-screening moves this to the entry in the newest version.
    entry = models.ForeignKey(
        "assessments.WatchlistEntry", on_delete=models.PROTECT, related_name="screening_matches"
    )
    fingerprint = models.CharField(max_length=64)
    risk_level = models.CharField(max_length=20)
    score = models.FloatField()
    screened_name = models.CharField(max_length=300)
    matched_name = models.CharField(max_length=500)
    explanation = models.TextField()
    status = models.CharField(
        max_length=20, choices=MatchStatus.choices, default=MatchStatus.POTENTIAL, db_index=True
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    screened_at = models.DateTimeField()
    delisted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a screening found the entry gone from its list's active version.",
    )

    class Meta:
        ordering = ["request", "partner", "subject_key", "-score", "id"]
        verbose_name_plural = "screening matches"
        constraints = [
            models.UniqueConstraint(
                fields=["request", "subject_key", "watchlist", "external_id"],
                name="one_match_per_subject_entry",
            )
        ]

    def __str__(self):
        return f"{self.subject_label} ~ {self.matched_name} ({self.score:.2f})"

    def save(self, *args, **kwargs):
        # Matches made the old way (a partner only) fill in their request and organisation.
        if self.partner_id is not None:
            if self.request_id is None:
                self.request_id = self.partner.request_id
            if self.organisation_id is None and self.subject_kind == SubjectKind.PARTNER:
                self.organisation_id = self.partner.organisation_id
        if not self.subject_key:
            self.subject_key = self.compute_subject_key()
        super().save(*args, **kwargs)

    # --- what the match is about -------------------------------------------------------------

    def compute_subject_key(self) -> str:
        kind = self.subject_kind
        if kind == SubjectKind.PARTNER:
            return f"partner:{self.partner_id}"
        if kind in (SubjectKind.ANCESTOR, SubjectKind.SUB_PARTNER):
            return f"{kind}:{self.partner_id or ''}:{self.organisation_id}"
        if kind == SubjectKind.FUNDER:
            return f"funder:{self.organisation_id}"
        person_id = getattr(self, "person_id", None)
        return f"{kind}:{person_id or ''}"

    @property
    def subject_organisation(self):
        """The organisation screened, for organisation subjects; None for a person."""
        if self.subject_kind not in ORGANISATION_SUBJECTS:
            return None
        if self.organisation_id is not None:
            return self.organisation
        return self.partner.organisation if self.partner_id else None

    @property
    def subject(self):
        """The thing the screened name belongs to: an Organisation, or a person record."""
        if self.subject_kind == SubjectKind.PERSON:
            return getattr(self, "person", None)
        return self.subject_organisation

    @property
    def subject_name(self) -> str:
        subject = self.subject
        if subject is None:
            return ""
        if self.subject_kind == SubjectKind.PERSON:
            # "Person #7 (student)": labels reach alerts, e-mails and shared pages; the name
            # stays on the people pages.
            return str(subject)
        return getattr(subject, "name", None) or str(subject)

    @property
    def subject_label(self) -> str:
        """What a reader sees: "Harbin Institute of Technology", "parent Harbin Institute of
        Technology (of HIT State Key Laboratory)", "funder ...", "sub-partner ..."."""
        name = self.subject_name
        kind = self.subject_kind
        if kind == SubjectKind.PARTNER:
            return name
        if kind == SubjectKind.ANCESTOR and self.partner_id:
            return f"parent {name} (of {self.partner.organisation.name})"
        if kind == SubjectKind.SUB_PARTNER and self.partner_id:
            return f"sub-partner {name} (of {self.partner.organisation.name})"
        return f"{SubjectKind(kind).label.lower()} {name}".strip()

    def dismissal_subject(self) -> dict:
        """The fields a remembered dismissal of this match is keyed on (besides the entry)."""
        if self.subject_kind == SubjectKind.PERSON:
            return {"person": getattr(self, "person", None)}
        return {"organisation": self.subject_organisation}


class ScreeningDismissal(models.Model):
    """A reviewer's 'not the same body', remembered per subject (an organisation, or with the
    people records a person) and entry data."""

    organisation = models.ForeignKey(
        "assessments.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="screening_dismissals",
    )
    # A person's dismissal (assessments.people): "not the same person", for this person only.
    person = models.ForeignKey(
        "assessments.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="screening_dismissals",
    )
    watchlist = models.ForeignKey(
        "assessments.Watchlist", on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    reason = models.TextField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField()

    class Meta:
        ordering = ["-dismissed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "watchlist", "external_id", "fingerprint"],
                name="one_dismissal_per_organisation_entry_data",
            ),
            models.UniqueConstraint(
                fields=["person", "watchlist", "external_id", "fingerprint"],
                name="one_dismissal_per_person_entry_data",
            ),
        ]

    def __str__(self):
        return f"{self.organisation or self.person} is not {self.watchlist} {self.external_id}"


class ScreeningAlert(models.Model):
    """Re-screening found something a reviewer must look at: a new match, a changed risk or
    entry, or a confirmed entry taken off its list."""

    class Kind(models.TextChoices):
        NEW_MATCH = "new_match", "New potential match"
        RISK_CHANGED = "risk_changed", "Listed risk level changed"
        ENTRY_CHANGED = "entry_changed", "Dismissed entry changed"
        ENTRY_REMOVED = "entry_removed", "Confirmed entry delisted"

    request = models.ForeignKey(
        "assessments.PartnershipRequest", on_delete=models.CASCADE, related_name="screening_alerts"
    )
    match = models.ForeignKey(ScreeningMatch, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    cleared_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.message
